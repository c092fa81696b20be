/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "exact-time.h"

#include "ns3/simulator.h"

namespace ns3
{

Time
DelayUntilPicoSeconds(int64_t ps)
{
    Time at = PicoSeconds(ps);
    if (at.GetPicoSeconds() < ps)
    {
        at += TimeStep(1);
    }
    Time now = Simulator::Now();
    return at > now ? at - now : Time(0);
}

} // namespace ns3
