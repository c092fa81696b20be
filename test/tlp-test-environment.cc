/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Process-wide set-up shared by every GoogleTest case of the module.
 *
 * In an ns-3 tree all cases run in one process (the "tlp-tunnel" TestSuite), and
 * ns-3 lets packet metadata be enabled only before the first packet is built: a
 * test that enables ASCII tracing (which needs it) after others sent packets would
 * stop a debug build. It is enabled once, before any case runs, in every build.
 */

#include "ns3/packet.h"

#include <gtest/gtest.h>

namespace
{

/// Enables packet printing before the first test.
class TlpTestEnvironment : public testing::Environment
{
  public:
    void SetUp() override
    {
        ns3::Packet::EnablePrinting();
    }
};

/// Registered at static initialization, before any RUN_ALL_TESTS.
testing::Environment* const g_environment =
    testing::AddGlobalTestEnvironment(new TlpTestEnvironment);

} // namespace
