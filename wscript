# -*- Mode: python; py-indent-offset: 4; indent-tabs-mode: nil; coding: utf-8; -*-
# tlp-tunnel for ns-3 trees built with waf (ns-3.35 and earlier). CMakeLists.txt
# serves ns-3.36+ and standalone builds; keep the source lists of both in step.

MODULE_SOURCES = [
    'helper/tlp-doorbell-helper.cc',
    'helper/tlp-fault-helper.cc',
    'helper/full-duplex-ethernet-helper.cc',
    'helper/tlp-topology-helper.cc',
    'helper/tlp-tunnel-helper.cc',
    'model/exact-time.cc',
    'model/full-duplex-ethernet-channel.cc',
    'model/full-duplex-ethernet-net-device.cc',
    'model/pcie-dma-engine.cc',
    'model/pcie-link.cc',
    'model/pcie-port.cc',
    'model/pcie-root-complex.cc',
    'model/pcie-routing-element.cc',
    'model/pcie-switch.cc',
    'model/sparse-memory.cc',
    'model/tlp-completion-router.cc',
    'model/tlp-cpu.cc',
    'model/tlp-doorbell.cc',
    'model/tlp-ecrc-trailer.cc',
    'model/tlp-ethernet-transport.cc',
    'model/tlp-export-table.cc',
    'model/tlp-grant-agent.cc',
    'model/tlp-header.cc',
    'model/tlp-interconnect-port.cc',
    'model/tlp-link-impairment.cc',
    'model/tlp-memory.cc',
    'model/tlp-nic-dma.cc',
    'model/tlp-memory-registry.cc',
    'model/tlp-packer.cc',
    'model/tlp-peer-directory.cc',
    'model/tlp-peer-session.cc',
    'model/tlp-request-tracker.cc',
    'model/tlp-requester.cc',
    'model/tlp-transmit-scheduler.cc',
    'model/tlp-transport.cc',
    'model/tlp-tunnel-net-device.cc',
    'model/tlp-udp-transport.cc',
    'model/tlp-unpacker.cc',
    'model/tlp-window-table.cc',
    'model/tlp-write-confirmation.cc',
    'model/tlp-write-keeper.cc',
    'model/tunnel-ack-header.cc',
    'model/tunnel-grant-header.cc',
    'model/tunnel-header.cc',
    'model/tunnel-remap-header.cc',
]

TEST_SOURCES = [
    'test/tlp-tunnel-test-suite.cc',
    'test/tlp-header-test.cc',
    'test/tlp-ecrc-test.cc',
    'test/pcie-link-test.cc',
    'test/pcie-root-complex-test.cc',
    'test/tlp-memory-test.cc',
    'test/tlp-cpu-test.cc',
    'test/tlp-request-tracker-test.cc',
    'test/tlp-requester-test.cc',
    'test/tlp-atomic-test.cc',
    'test/tlp-tunnel-net-device-test.cc',
    'test/tlp-reliability-test.cc',
    'test/tlp-hostile-test.cc',
    'test/tlp-confirmation-test.cc',
    'test/full-duplex-ethernet-test.cc',
    'test/tlp-hostile-input-test.cc',
    'test/tlp-identity-test.cc',
    'test/tlp-grant-test.cc',
    'test/tlp-memory-id-test.cc',
    'test/tlp-transmit-scheduler-test.cc',
    'test/tlp-doorbell-test.cc',
    'test/tlp-test-environment.cc',
]


def configure(conf):
    # The tests are GoogleTest cases that the "tlp-tunnel" TestSuite runs
    # (Debian: libgtest-dev). No global define: it would rebuild all of ns-3.
    conf.env.append_value('LIB_GTEST', ['gtest', 'pthread'])
    conf.env.append_value('DEFINES_GTEST', ['GTEST_HAS_PTHREAD=1'])
    conf.env['ENABLE_GTEST'] = conf.check_nonfatal(
        header_name='gtest/gtest.h', use='GTEST', features='cxx cxxprogram',
        global_define=False,
        fragment='#include <gtest/gtest.h>\n'
                 'int main(int c, char** v) { ::testing::InitGoogleTest(&c, v); '
                 'return RUN_ALL_TESTS(); }\n')
    conf.report_optional_feature('tlp-tunnel-gtest', 'tlp-tunnel GoogleTest cases',
                                 conf.env['ENABLE_GTEST'], 'gtest/gtest.h not found')


def build(bld):
    module = bld.create_ns3_module(
        'tlp-tunnel', ['core', 'network', 'internet', 'csma', 'bridge', 'point-to-point'])
    module.source = MODULE_SOURCES

    if bld.env['ENABLE_GTEST']:
        module_test = bld.create_ns3_module_test_library('tlp-tunnel')
        module_test.source = TEST_SOURCES
        module_test.use.append('GTEST')

    headers = bld(features='ns3header')
    headers.module = 'tlp-tunnel'
    headers.source = [s.replace('.cc', '.h') for s in MODULE_SOURCES] + [
        'model/tlp-doorbell-registers.h',
    ]

    if bld.env['ENABLE_EXAMPLES']:
        bld.recurse('examples')
