# Builds the module against an installed ns-3 (Debian's libns3-dev 3.37) by
# providing the two functions an ns-3 source tree gives contrib modules:
# build_lib() and build_lib_example(). In an ns-3 tree this file is not used.

# No version: the installed version file only accepts an exact match.
find_package(ns3 REQUIRED CONFIG)

# Debian's exported targets list include folders of optional -dev packages
# (libxml2, Python); drop those that are absent so the imported targets stay usable.
foreach(_module
        antenna aodv applications bridge buildings config-store core csma csma-layout
        dsdv dsr energy fd-net-device flow-monitor internet internet-apps lr-wpan lte
        mesh mobility netanim network nix-vector-routing olsr point-to-point
        point-to-point-layout propagation sixlowpan spectrum stats tap-bridge
        topology-read traffic-control uan virtual-net-device wave wifi wimax)
  if(TARGET ns3::lib${_module})
    get_target_property(_dirs ns3::lib${_module} INTERFACE_INCLUDE_DIRECTORIES)
    set(_present)
    foreach(_dir ${_dirs})
      if(EXISTS "${_dir}")
        list(APPEND _present "${_dir}")
      endif()
    endforeach()
    set_target_properties(ns3::lib${_module} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_present}")
    set(lib${_module} ns3::lib${_module})
  endif()
endforeach()

# Warnings as ns-3's own build enables them.
add_compile_options(-Wall -Wextra -Wno-unused-parameter)

# Optional sanitizer and libFuzzer instrumentation.
include(${CMAKE_CURRENT_LIST_DIR}/tlp-tunnel-sanitizers.cmake)

# Calls within the shared library need not allow for interposition (no LD_PRELOAD
# replaces its functions), so GCC may inline them as clang does by default.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-fno-semantic-interposition)
endif()

# Debian's package exports no compile definitions: enable logging and asserts as
# ns-3's default and debug profiles do, and leave them out of Release builds as its
# optimized profile does.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(NS3_STANDALONE_DEFINITIONS)
else()
  set(NS3_STANDALONE_DEFINITIONS NS3_LOG_ENABLE NS3_ASSERT_ENABLE)
endif()

option(TLP_TUNNEL_TESTS "Build the GoogleTest suite" ON)
if(TLP_TUNNEL_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  enable_testing()
endif()

# Headers are published as ns3/<file>.h with an umbrella ns3/<module>-module.h,
# as an ns-3 tree does.
set(NS3_STANDALONE_INCLUDE_DIR ${CMAKE_BINARY_DIR}/include)

function(build_lib)
  cmake_parse_arguments(BLIB "IGNORE_PCH" "LIBNAME"
                        "SOURCE_FILES;HEADER_FILES;LIBRARIES_TO_LINK;TEST_SOURCES" ${ARGN})
  set(target lib${BLIB_LIBNAME})
  set(lib${BLIB_LIBNAME} ${target} PARENT_SCOPE)
  set(lib${BLIB_LIBNAME} ${target})

  set(module_header "${NS3_STANDALONE_INCLUDE_DIR}/ns3/${BLIB_LIBNAME}-module.h")
  string(TOUPPER "${BLIB_LIBNAME}" guard)
  string(REPLACE "-" "_" guard "${guard}")
  set(module_text "#ifndef NS3_MODULE_${guard}\n#define NS3_MODULE_${guard}\n")
  foreach(header ${BLIB_HEADER_FILES})
    get_filename_component(name ${header} NAME)
    configure_file(${CMAKE_CURRENT_SOURCE_DIR}/${header}
                   ${NS3_STANDALONE_INCLUDE_DIR}/ns3/${name} COPYONLY)
    string(APPEND module_text "#include \"${name}\"\n")
  endforeach()
  string(APPEND module_text "#endif\n")
  file(WRITE ${module_header}.tmp "${module_text}")
  configure_file(${module_header}.tmp ${module_header} COPYONLY)

  add_library(${target} SHARED ${BLIB_SOURCE_FILES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ns3-${BLIB_LIBNAME})
  target_include_directories(${target} PUBLIC ${NS3_STANDALONE_INCLUDE_DIR})
  target_compile_definitions(${target} PUBLIC ${NS3_STANDALONE_DEFINITIONS})
  target_link_libraries(${target} PUBLIC ${BLIB_LIBRARIES_TO_LINK})

  if(TLP_TUNNEL_TESTS AND BLIB_TEST_SOURCES)
    # The ns-3 TestSuite adapters (*-test-suite.cc) need ns-3's test runner;
    # here GoogleTest runs the same tests directly.
    set(gtest_sources)
    foreach(source ${BLIB_TEST_SOURCES})
      if(NOT source MATCHES "-test-suite\\.cc$")
        list(APPEND gtest_sources ${source})
      endif()
    endforeach()
    add_executable(${BLIB_LIBNAME}-gtest ${gtest_sources})
    target_link_libraries(${BLIB_LIBNAME}-gtest PRIVATE ${target} GTest::gtest GTest::gtest_main)
    gtest_discover_tests(${BLIB_LIBNAME}-gtest DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
  endif()

  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/examples)
    add_subdirectory(examples)
  endif()
endfunction()

function(build_lib_example)
  cmake_parse_arguments(BLIB_EXAMPLE "IGNORE_PCH" "NAME"
                        "SOURCE_FILES;HEADER_FILES;LIBRARIES_TO_LINK" ${ARGN})
  add_executable(${BLIB_EXAMPLE_NAME} ${BLIB_EXAMPLE_SOURCE_FILES})
  target_link_libraries(${BLIB_EXAMPLE_NAME} PRIVATE ${BLIB_EXAMPLE_LIBRARIES_TO_LINK})
  set_target_properties(${BLIB_EXAMPLE_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                                                         ${CMAKE_BINARY_DIR}/examples)
endfunction()
