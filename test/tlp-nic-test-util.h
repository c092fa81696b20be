/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_NIC_TEST_UTIL_H
#define TLP_NIC_TEST_UTIL_H

#include "tlp-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/tlp-tunnel-net-device.h"
#include "ns3/tunnel-header.h"

namespace ns3
{
namespace tlptest
{

/**
 * \brief A tunnel packet as any node may forge it.
 * \param kind a TunnelHeader::Kind
 * \param flags its flags
 * \param source the source field
 * \param seq the sequence field (the nonce in GRANT_REQUEST and GRANT)
 * \param tlps the TLPs' bytes
 * \param window the window ID
 * \param key the region key
 * \param ack the acknowledgement field
 * \param body a body after the header (ACK, grant), or null
 * \return the packet
 */
inline Ptr<Packet>
TunnelPacket(uint8_t kind,
             uint8_t flags,
             uint32_t source,
             uint32_t seq,
             const std::vector<std::vector<uint8_t>>& tlps,
             uint16_t window = 0,
             uint32_t key = 0,
             uint32_t ack = 0,
             Ptr<Packet> body = nullptr)
{
    Ptr<Packet> p = body != nullptr ? body->Copy() : Create<Packet>();
    TunnelHeader th;
    th.SetKind(static_cast<TunnelHeader::Kind>(kind));
    th.SetFlags(flags);
    th.SetSource(source);
    th.SetSequence(seq);
    th.SetAck(ack);
    th.SetWindow(window);
    th.SetKey(key);
    for (const auto& t : tlps)
    {
        th.AddTlp(static_cast<uint16_t>(t.size()));
        p->AddAtEnd(Create<Packet>(t.data(), t.size()));
    }
    p->AddHeader(th);
    return p;
}

/// Bytes of a TLP: header and data.
inline std::vector<uint8_t>
TlpBytes(const TlpHeader& h, const std::vector<uint8_t>& data = {})
{
    std::vector<uint8_t> bytes = Serialize(h);
    bytes.insert(bytes.end(), data.begin(), data.end());
    return bytes;
}

/**
 * \param receiver a receiving NIC
 * \param sender a sending node
 * \param window the sender's window ID
 * \return the region key the receiver gave the window, 0 when it holds no grant for it
 */
inline uint32_t
GrantedKey(Ptr<TlpTunnelNetDevice> receiver, uint32_t sender, uint16_t window = 0)
{
    const TlpExportGrant* g = receiver->GetExportTable().Find(sender, window);
    return g != nullptr ? g->key : 0;
}

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
