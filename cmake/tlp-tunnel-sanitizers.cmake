# Sanitizer and fuzzing builds of the standalone module (see "Fuzzing and
# sanitizers" in doc/tlp-tunnel.rst). Debian's libns3 is not instrumented: the
# checks cover this module's code and what it passes to ns-3.
#
#   -DTLP_TUNNEL_SANITIZE=address,undefined   every target built with these
#                                             sanitizers; any UB report is fatal
#   -DTLP_TUNNEL_FUZZ=ON                      clang only: the module instrumented
#                                             for libFuzzer, ASan and UBSan, and
#                                             the targets of test/fuzz built

set(TLP_TUNNEL_SANITIZE "" CACHE STRING
    "Comma-separated sanitizers for every target (e.g. address,undefined); empty: none")
option(TLP_TUNNEL_FUZZ "Build the libFuzzer targets of test/fuzz (clang)" OFF)

if(TLP_TUNNEL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TLP_TUNNEL_FUZZ=ON needs clang (libFuzzer): configure with "
                        "CXX=clang++ (Debian: clang-14, libclang-rt-14-dev)")
  endif()
  if(TLP_TUNNEL_SANITIZE STREQUAL "")
    set(TLP_TUNNEL_SANITIZE address,undefined)
  endif()
  # Coverage instrumentation for the fuzzer everywhere; the fuzz targets add
  # -fsanitize=fuzzer (libFuzzer's main) when they link.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(NOT TLP_TUNNEL_SANITIZE STREQUAL "")
  # A report that recovers would let a test pass: every finding aborts instead.
  set(_flags -fsanitize=${TLP_TUNNEL_SANITIZE} -fno-sanitize-recover=all
             -fno-omit-frame-pointer)
  add_compile_options(${_flags})
  add_link_options(${_flags})
  message(STATUS "tlp-tunnel: sanitizers ${TLP_TUNNEL_SANITIZE}")
endif()
