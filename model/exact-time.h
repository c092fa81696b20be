/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef EXACT_TIME_H
#define EXACT_TIME_H

#include "ns3/nstime.h"

#include <cstdint>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The delay to schedule an event at a time kept in exact picoseconds.
 *
 * Links that keep their wire time in picoseconds (PcieLink, FullDuplexEthernetChannel)
 * stay exact whatever the simulator's resolution; only their events are rounded, up,
 * so that no event fires before its cause.
 *
 * \param ps an exact time in picoseconds
 * \return the delay from now until then, rounded up to the time resolution (0 if it
 *         is not in the future)
 */
Time DelayUntilPicoSeconds(int64_t ps);

} // namespace ns3

#endif /* EXACT_TIME_H */
