/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Hostile bytes from the network, on both transports: the findings of the fuzz
 * targets (test/fuzz), each a case here with its reproducer in the corpus. A
 * tunnel packet that names a node outside the fabric is dropped and counted, not
 * fatal; a packet dropped as malformed records nothing (its sequence number
 * included), so real loss after it is still counted.
 */

#include "tlp-nic-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/tunnel-header.h"

#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;
const uint64_t REGION = 0x0000000040000000ULL;

/// Two nodes, node 0's window onto node 1's REGION, granted; node 0's transport
/// then sends raw tunnel packets to node 1 as a forged peer would.
class HostilePeer : public ::testing::TestWithParam<std::string>
{
  protected:
    void SetUp() override
    {
        m_hosts.Create(2);
        m_tunnel.Install(m_hosts);
        m_topology.Connect(m_hosts, m_tunnel, GetParam());
        m_tunnel.MapWindow(m_hosts.Get(0), WINDOW, 0x10000, 1, REGION);
        Nic(1)->TraceConnectWithoutContext("Drop", MakeCallback(&HostilePeer::OnDrop, this));
        Simulator::Stop(MicroSeconds(50));
        Simulator::Run();
        ASSERT_TRUE(Nic(0)->GetWindow(0)->IsGranted());
    }

    Ptr<TlpTunnelNetDevice> Nic(uint32_t i)
    {
        return TlpTunnelHelper::GetNic(m_hosts.Get(i));
    }

    /// A tunnel packet of one kind with one TLP (DATA, with node 0's key) or a grant body.
    Ptr<Packet> Forge(TunnelHeader::Kind kind,
                      uint32_t source,
                      uint32_t sequence,
                      const std::vector<uint8_t>& tlp)
    {
        TunnelHeader th;
        th.SetKind(kind);
        th.SetSource(source);
        th.SetSequence(sequence);
        Ptr<Packet> p = Create<Packet>(tlp.data(), tlp.size());
        if (kind == TunnelHeader::DATA)
        {
            th.SetFlags(TunnelHeader::FLAG_TRANSLATED); // a flag only DATA defines
            th.AddTlp(static_cast<uint16_t>(tlp.size()));
            th.SetKey(GrantedKey(Nic(1), 0));
        }
        p->AddHeader(th);
        return p;
    }

    /// Send forged packets from node 0's transport to node 1, 1 us apart, and run.
    void SendAll(const std::vector<Ptr<Packet>>& packets)
    {
        Ptr<TlpTransport> rogue = Nic(0)->GetTransport();
        for (size_t i = 0; i < packets.size(); ++i)
        {
            Simulator::Schedule(MicroSeconds(1 + i), &TlpTransport::Send, rogue, packets[i], 1u);
        }
        Simulator::Run();
    }

    std::vector<uint8_t> Write(uint64_t address, const std::vector<uint8_t>& data)
    {
        std::vector<uint8_t> tlp = Serialize(TlpHeader::MakeMemWrite(address, data.size(), 0, 0));
        tlp.insert(tlp.end(), data.begin(), data.end());
        return tlp;
    }

    std::vector<uint8_t> Image(uint64_t address, uint32_t size)
    {
        std::vector<uint8_t> bytes(size);
        TlpTunnelHelper::GetMemory(m_hosts.Get(1))->GetStore().Read(address, bytes.data(), size);
        return bytes;
    }

    void OnDrop(Ptr<const Packet>, uint8_t reason)
    {
        m_drops.push_back(reason);
    }

    SimulatorGuard m_guard;
    NodeContainer m_hosts;
    TlpTunnelHelper m_tunnel;
    TlpTopologyHelper m_topology;
    std::vector<uint8_t> m_drops;
};

} // namespace

// Reproducers: test/fuzz/corpus/nic-receive/gen-unknown-source-{read,grant-request}.
TEST_P(HostilePeer, PacketFromOutsideTheFabricIsDroppedNotFatal)
{
    const TlpTunnelNetDevice::Statistics before = Nic(1)->GetStatistics();
    TunnelGrantHeader ask;
    ask.windowBase = WINDOW;
    ask.size = 0x1000;
    std::vector<uint8_t> body = Serialize(ask);
    std::vector<uint8_t> read = Serialize(TlpHeader::MakeMemRead(REGION, 4, 0, 0));
    std::vector<uint8_t> outside = Serialize(TlpHeader::MakeMemRead(0x20000000000ULL, 4, 0, 1));
    // Each would be answered (GRANT, completion, UR) to node 77, which has no NIC.
    SendAll({Forge(TunnelHeader::GRANT_REQUEST, 77, 0, body),
             Forge(TunnelHeader::DATA, 77, 1, read),
             Forge(TunnelHeader::DATA, 77, 2, outside),
             Forge(TunnelHeader::DATA, 77, 3, Write(REGION, {1, 2, 3, 4})),
             Forge(TunnelHeader::DATA, 0, 0, Write(REGION + 4, {5, 6, 7, 8}))});
    const TlpTunnelNetDevice::Statistics& after = Nic(1)->GetStatistics();
    EXPECT_EQ(m_drops, std::vector<uint8_t>(4, TlpTunnelNetDevice::DROP_UNKNOWN_SOURCE));
    EXPECT_EQ(after.malformedPackets - before.malformedPackets, 4u);
    EXPECT_EQ(after.grantsSent, before.grantsSent);
    EXPECT_EQ(after.unsupportedRequests, before.unsupportedRequests);
    EXPECT_EQ(after.packetsSent, before.packetsSent);
    EXPECT_EQ(after.sequenceGaps, 0u);
    // Only node 0's write landed.
    EXPECT_EQ(ToHex(Image(REGION, 8)), "00000000 05060708");
}

// Reproducer: test/fuzz/corpus/nic-receive/gen-malformed-far-sequence.
TEST_P(HostilePeer, MalformedPacketRecordsNoSequenceNumber)
{
    // Grants use no sequence numbers: node 1 expects 0 from node 0.
    // Long enough that Ethernet does not pad it back to its length.
    Ptr<Packet> lengthPastTheEnd =
        Forge(TunnelHeader::DATA, 0, 0xFFFFFFF0, Write(REGION, std::vector<uint8_t>(64, 9)));
    lengthPastTheEnd->RemoveAtEnd(2);
    Ptr<Packet> shortGrant = Forge(TunnelHeader::GRANT, 0, 0xFFFFFFF1, {0, 0, 0, 0});
    SendAll({lengthPastTheEnd,
             shortGrant,
             Forge(TunnelHeader::DATA, 0, 0, Write(REGION, {1, 1, 1, 1})),
             Forge(TunnelHeader::DATA, 0, 2, Write(REGION + 4, {3, 3, 3, 3}))});
    const TlpTunnelNetDevice::Statistics& s = Nic(1)->GetStatistics();
    EXPECT_EQ(s.malformedPackets, 2u);
    EXPECT_EQ(m_drops, std::vector<uint8_t>(2, TlpTunnelNetDevice::DROP_MALFORMED_PACKET));
    // Sequence 1 is missing, and only that.
    EXPECT_EQ(s.sequenceGaps, 1u);
    EXPECT_EQ(ToHex(Image(REGION, 8)), "01010101 03030303");
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         HostilePeer,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));
