/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_NIC_TEST_UTIL_H
#define TLP_NIC_TEST_UTIL_H

#include "tlp-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-tunnel-helper.h"

namespace ns3
{
namespace tlptest
{

/// Compute nodes built by TlpTunnelHelper, and their parts by index.
struct ComputeNodes
{
    /// \return node i's CPU
    Ptr<TlpCpu> Cpu(uint32_t i)
    {
        return TlpTunnelHelper::GetCpu(hosts.Get(i));
    }

    /// \return node i's memory
    Ptr<TlpMemory> Memory(uint32_t i)
    {
        return TlpTunnelHelper::GetMemory(hosts.Get(i));
    }

    /// \return node i's NIC
    Ptr<TlpTunnelNetDevice> Nic(uint32_t i)
    {
        return TlpTunnelHelper::GetNic(hosts.Get(i));
    }

    /// \return node i's root complex
    Ptr<PcieRootComplex> RootComplex(uint32_t i)
    {
        return TlpTunnelHelper::GetRootComplex(hosts.Get(i));
    }

    /// \return bytes of node i's memory
    std::vector<uint8_t> Image(uint32_t i, uint64_t address, uint32_t size)
    {
        std::vector<uint8_t> bytes(size);
        Memory(i)->GetStore().Read(address, bytes.data(), size);
        return bytes;
    }

    SimulatorGuard guard; //!< ends the simulation last
    NodeContainer hosts;  //!< the compute nodes
};

} // namespace tlptest
} // namespace ns3

#endif /* TLP_NIC_TEST_UTIL_H */
