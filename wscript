# -*- Mode: python; py-indent-offset: 4; indent-tabs-mode: nil; coding: utf-8; -*-
# tlp-tunnel for ns-3 trees built with waf (ns-3.35 and earlier); CMakeLists.txt
# serves ns-3.36+ and standalone builds with the same source lists.


def configure(conf):
    # The tests are GoogleTest cases run by the "tlp-tunnel" TestSuite.
    conf.env.append_value('LIB_GTEST', ['gtest', 'pthread'])


def build(bld):
    module = bld.create_ns3_module('tlp-tunnel', ['core', 'network'])
    module.source = [
        'helper/tlp-tunnel-helper.cc',
        'model/local-interconnect-channel.cc',
        'model/sparse-memory.cc',
        'model/tlp-cpu.cc',
        'model/tlp-ecrc-trailer.cc',
        'model/tlp-header.cc',
        'model/tlp-memory.cc',
        ]

    module_test = bld.create_ns3_module_test_library('tlp-tunnel')
    module_test.source = [
        'test/tlp-tunnel-test-suite.cc',
        'test/tlp-header-test.cc',
        'test/tlp-ecrc-test.cc',
        'test/local-interconnect-test.cc',
        'test/tlp-memory-test.cc',
        'test/tlp-cpu-test.cc',
        ]
    module_test.use.append('GTEST')

    headers = bld(features='ns3header')
    headers.module = 'tlp-tunnel'
    headers.source = [
        'helper/tlp-tunnel-helper.h',
        'model/local-interconnect-channel.h',
        'model/sparse-memory.h',
        'model/tlp-cpu.h',
        'model/tlp-ecrc-trailer.h',
        'model/tlp-header.h',
        'model/tlp-memory.h',
        ]

    if bld.env.ENABLE_EXAMPLES:
        bld.recurse('examples')
