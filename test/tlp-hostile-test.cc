/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Hostile packets from the network, one check each: a forged or garbled packet is
 * dropped with the reason of the check it fails, the simulation goes on, and it
 * changes nothing: a good packet with the same sequence number sent right after it
 * is delivered (a rejected packet recorded no sequence number), and memory holds
 * that packet's bytes and nothing else.
 */

#include "tlp-nic-test-util.h"

#include "ns3/node-container.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/tlp-write-confirmation.h"
#include "ns3/tunnel-ack-header.h"
#include "ns3/tunnel-grant-header.h"
#include "ns3/tunnel-header.h"
#include "ns3/uinteger.h"

#include <functional>
#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;
const uint64_t REGION = 0x0000000040000000ULL;
const uint8_t RELIABLE = TunnelHeader::FLAG_RELIABLE;

/// The key node 1 granted node 0's window: DATA packets carry it unless a case says.
uint32_t g_key = 0;

/// A tunnel packet: header fields, TLPs, body; DATA with node 0's key.
Ptr<Packet>
Make(uint8_t kind,
     uint8_t flags,
     uint32_t source,
     uint32_t seq,
     const std::vector<std::vector<uint8_t>>& tlps,
     uint16_t window = 0,
     uint32_t ack = 0,
     Ptr<Packet> body = nullptr)
{
    uint32_t key = kind == TunnelHeader::DATA ? g_key : 0;
    return TunnelPacket(kind, flags, source, seq, tlps, window, key, ack, body);
}

/// A 4-byte write into the region (translated by the sender).
std::vector<uint8_t>
Write(uint64_t offset, const std::vector<uint8_t>& data = {1, 2, 3, 4})
{
    return TlpBytes(TlpHeader::MakeMemWrite(REGION + offset, 4, 0x0000, 0), data);
}

/// A packet from a byte string (hex).
Ptr<Packet>
Raw(const std::string& hex)
{
    std::vector<uint8_t> b = Hex(hex);
    return Create<Packet>(b.data(), b.size());
}

/// One hostile case.
struct Case
{
    std::string name;                   //!< what it is
    std::function<Ptr<Packet>()> build; //!< the packet
    uint8_t reason;                     //!< the drop reason expected
    bool towardsSender = false;         //!< sent by node 1 to node 0 (grants)
    bool accepted = false;              //!< the packet is good, a TLP in it is not
};

std::vector<Case>
Cases()
{
    using D = TlpTunnelNetDevice;
    TlpHeader completion = TlpHeader::MakeCompletion(TlpHeader::SC, 0x0005, 0x0000, 5, 4, 0, 1);
    TlpHeader digest = TlpHeader::MakeMemWrite(REGION + 0x200, 4, 0x0000, 0);
    digest.SetDigest(true);
    std::vector<uint8_t> badEcrc = TlpBytes(digest, {1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef});
    auto ack = [](const std::vector<std::pair<uint32_t, uint32_t>>& blocks) {
        TunnelAckHeader a;
        for (auto& b : blocks)
        {
            a.AddBlock(SequenceNumber32(b.first), SequenceNumber32(b.second));
        }
        Ptr<Packet> p = Create<Packet>();
        p->AddHeader(a);
        return p;
    };
    auto grant = [](uint8_t status, uint8_t confirm) {
        // Serialized by hand: the header class refuses to write bad values.
        std::vector<uint8_t> b(32, 0);
        b[0] = 0x00;
        b[1] = 0x00;
        b[2] = 0x10;  // window base 0x0000100000000000 (big-endian at 0..7)
        b[13] = 0x01; // size 0x10000 (big-endian at 8..15)
        for (int i = 16; i < 24; ++i)
        {
            b[i] = 0xFF;
        }
        b[25] = status;
        b[26] = confirm;
        return Create<Packet>(b.data(), b.size());
    };
    return {
        {"truncated header",
         [] { return Raw("10 02 00 01 00 00 00 00 00 00"); },
         D::DROP_MALFORMED_PACKET},
        {"unknown version",
         [] { return Raw("20020001 00000000 00000000 00000000 00000018 00100000"); },
         D::DROP_MALFORMED_PACKET},
        {"flag the kind does not define",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | TunnelHeader::FLAG_NAK,
                         0,
                         0,
                         {Write(0x300)});
         },
         D::DROP_MALFORMED_PACKET},
        {"reserved flag",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 0x80, 0, 0, {Write(0x300)}); },
         D::DROP_MALFORMED_PACKET},
        {"unknown kind",
         [] { return Raw("17020000 00000000 00000000 00000000 00000018 00000000"); },
         D::DROP_MALFORMED_PACKET},
        {"TLP count on an ACK",
         [] {
             return Raw("11000001 00000000 00000000 00000000 0000001c 00000000 000c0000 00000000");
         },
         D::DROP_MALFORMED_PACKET},
        {"compressed headers (not produced by this version)",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | TunnelHeader::FLAG_COMPRESSED,
                         0,
                         0,
                         {Write(0x300)});
         },
         D::DROP_UNSUPPORTED},
        {"memory ID nothing is registered under",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | TunnelHeader::FLAG_MEMORY_ID,
                         0,
                         0,
                         {Write(0x300)});
         },
         D::DROP_UNKNOWN_MEMORY_ID,
         false,
         true},
        {"source outside the fabric",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 77, 0, {Write(0x300)}); },
         D::DROP_UNKNOWN_SOURCE},
        {"GRANT_REQUEST from outside the fabric",
         [] {
             TunnelGrantHeader g;
             g.windowBase = WINDOW;
             g.size = 0x1000;
             Ptr<Packet> body = Create<Packet>();
             body->AddHeader(g);
             return Make(TunnelHeader::GRANT_REQUEST, 0, 77, 9, {}, 0, 0, body);
         },
         D::DROP_UNKNOWN_SOURCE},
        {"read outside any region from outside the fabric",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | 1,
                         77,
                         0,
                         {TlpBytes(TlpHeader::MakeMemRead(0x900000000ULL, 4, 0x0135, 3))});
         },
         D::DROP_UNKNOWN_SOURCE},
        {"source is the receiver itself",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 1, 0, {Write(0x300)}); },
         D::DROP_UNKNOWN_SOURCE},
        {"TLP lengths run past the packet",
         [] {
             // Long enough that Ethernet's padding to 60 bytes cannot hide the cut.
             std::vector<uint8_t> big = TlpBytes(TlpHeader::MakeMemWrite(REGION + 0x300, 64, 0, 0),
                                                 std::vector<uint8_t>(64, 7));
             Ptr<Packet> p = Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {big});
             p->RemoveAtEnd(8);
             return p;
         },
         D::DROP_MALFORMED_PACKET},
        {"TLP of a reserved type",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | 1,
                         0,
                         0,
                         {Hex("03000001 00000000 00000000")});
         },
         D::DROP_MALFORMED_TLP},
        {"TLP shorter than its Length",
         [] {
             std::vector<uint8_t> t = Write(0x300);
             t.resize(t.size() - 4);
             return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {t});
         },
         D::DROP_MALFORMED_TLP},
        {"TLP with a wrong ECRC",
         [badEcrc] {
             return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {Write(0x300), badEcrc});
         },
         D::DROP_ECRC},
        {"completion inside DATA",
         [completion] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | 1,
                         0,
                         0,
                         {TlpBytes(completion, {9, 9, 9, 9})});
         },
         D::DROP_MALFORMED_TLP},
        {"write inside COMPLETION",
         [] { return Make(TunnelHeader::COMPLETION, RELIABLE, 0, 0, {Write(0x300)}); },
         D::DROP_MALFORMED_TLP},
        {"ACK body truncated",
         [] {
             return Raw("11000000 00000000 00000000 00000000 00000018 00000000 00050000 00000001 "
                        "00000002");
         },
         D::DROP_MALFORMED_PACKET},
        {"empty SACK block",
         [] {
             return Raw("11000000 00000000 00000000 00000000 00000018 00000000 00010000 00000005 "
                        "00000005");
         },
         D::DROP_MALFORMED_PACKET},
        {"acknowledges a sequence number never sent",
         [] {
             return Make(TunnelHeader::DATA,
                         RELIABLE | TunnelHeader::FLAG_ACK | 1,
                         0,
                         0,
                         {Write(0x300)},
                         0,
                         5);
         },
         D::DROP_BAD_ACK},
        {"ACK of a sequence number never sent",
         [ack] { return Make(TunnelHeader::ACK, 0, 0, 0, {}, 0, 4, ack({})); },
         D::DROP_BAD_ACK},
        {"grant body with an unknown status",
         [grant] { return Make(TunnelHeader::GRANT, 0, 1, 1, {}, 0, 0, grant(9, 0)); },
         D::DROP_MALFORMED_PACKET,
         true},
        {"grant body with an unknown confirmation mode",
         [grant] { return Make(TunnelHeader::GRANT, 0, 1, 1, {}, 0, 0, grant(0, 7)); },
         D::DROP_MALFORMED_PACKET,
         true},
        {"GRANT for a window that does not exist",
         [grant] { return Make(TunnelHeader::GRANT, 0, 1, 1, {}, 5, 0, grant(0, 0)); },
         D::DROP_UNEXPECTED,
         true},
        {"GRANT with another nonce",
         [grant] { return Make(TunnelHeader::GRANT, 0, 1, 999, {}, 0, 0, grant(0, 0)); },
         D::DROP_UNEXPECTED,
         true},
        {"sequence number far ahead",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0x40000000u, {Write(0x300)}); },
         D::DROP_OUT_OF_WINDOW},
        {"sequence number just behind",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0xFFFFFFF0u, {Write(0x300)}); },
         D::DROP_DUPLICATE},
        {"unsequenced, far ahead",
         [] { return Make(TunnelHeader::DATA, 1, 0, 0x10000000u, {Write(0x300)}); },
         D::DROP_OUT_OF_WINDOW},
        {"unsequenced, just behind",
         [] { return Make(TunnelHeader::DATA, 1, 0, 0xFFFFFFF0u, {Write(0x300)}); },
         D::DROP_DUPLICATE},
        {"write outside the region",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {Write(0x20000)}); },
         D::DROP_NO_REGION,
         false,
         true},
        {"write with another key than the grant's",
         [] {
             g_key ^= 0x80000000u;
             Ptr<Packet> p = Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {Write(0x300)});
             g_key ^= 0x80000000u;
             return p;
         },
         D::DROP_BAD_KEY},
        {"write through a window the sender was not granted",
         [] { return Make(TunnelHeader::DATA, RELIABLE | 1, 0, 0, {Write(0x300)}, 7); },
         D::DROP_NO_REGION,
         false,
         true},
        {"completion nobody waits for",
         [completion] {
             return Make(TunnelHeader::COMPLETION,
                         RELIABLE,
                         0,
                         0,
                         {TlpBytes(completion, {9, 9, 9, 9})});
         },
         D::DROP_UNKNOWN_REQUESTER,
         false,
         true},
        {"write confirmation nobody waits for",
         [] {
             Ptr<Packet> c = TlpWriteConfirmation::Make(0x0005, 0x0004, WINDOW, 4);
             return Make(TunnelHeader::COMPLETION, RELIABLE | 1, 0, 0, {Bytes(c)});
         },
         D::DROP_UNEXPECTED,
         false,
         true},
    };
}

/// Drop reasons a NIC reported.
struct Drops
{
    std::vector<uint8_t> reasons;

    void Tap(Ptr<const Packet>, uint8_t reason)
    {
        reasons.push_back(reason);
    }
};

class Hostile : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Hostile, EveryCheckDropsAndChangesNothing)
{
    for (const Case& c : Cases())
    {
        SCOPED_TRACE(c.name);
        SimulatorGuard guard;
        NodeContainer hosts;
        hosts.Create(2);
        TlpTunnelHelper tunnel;
        tunnel.Install(hosts);
        TlpTopologyHelper topology;
        topology.Connect(hosts, tunnel, GetParam());
        tunnel.MapWindow(hosts.Get(0), WINDOW, 0x10000, 1, REGION);
        uint32_t from = c.towardsSender ? 1 : 0;
        uint32_t to = 1 - from;
        Ptr<TlpTunnelNetDevice> victim = TlpTunnelHelper::GetNic(hosts.Get(to));
        Drops drops;
        victim->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Tap, &drops));
        // Forged by the other node's transport, after the grant.
        Ptr<TlpTransport> rogue = TlpTunnelHelper::GetNic(hosts.Get(from))->GetTransport();
        Later(MicroSeconds(20), [&c, victim, rogue, to]() {
            g_key = GrantedKey(victim, 0);
            rogue->Send(c.build(), to);
        });
        // Then a good write with the sequence number the bad packet may have used (the
        // next one when the packet was good and only a TLP in it was refused).
        if (!c.towardsSender)
        {
            Later(MicroSeconds(30), [&c, rogue]() {
                rogue->Send(
                    Make(TunnelHeader::DATA, RELIABLE | 1, 0, c.accepted ? 1 : 0, {Write(0x100)}),
                    1);
            });
        }
        Simulator::Run();
        ASSERT_FALSE(drops.reasons.empty());
        EXPECT_EQ(+drops.reasons.front(), +c.reason);
        EXPECT_EQ(drops.reasons.size(), 1u);
        Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(hosts.Get(1));
        if (!c.towardsSender)
        {
            std::vector<uint8_t> landed(4);
            memory->GetStore().Read(REGION + 0x100, landed.data(), 4);
            EXPECT_EQ(ToHex(landed), "01020304") << "the probe was not delivered";
            EXPECT_EQ(memory->GetStore().ReadByte(REGION + 0x300), 0);
            EXPECT_EQ(memory->GetStore().GetAllocatedPages(), 1u);
            EXPECT_EQ(victim->GetStatistics().sequenceGaps, 0u);
        }
        else
        {
            EXPECT_TRUE(TlpTunnelHelper::GetNic(hosts.Get(0))->GetWindow(0)->IsGranted());
            EXPECT_EQ(TlpTunnelHelper::GetNic(hosts.Get(0))->GetWindow(0)->GetRegionBase(), REGION);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Hostile,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));

TEST_P(Hostile, SackBlocksBeyondWhatWasSentAreIgnored)
{
    // A packet forged with a far sequence number may sit in a receiver's reorder
    // buffer, and its SACK blocks name it from then on: the sender ignores the block,
    // not the acknowledgement.
    SimulatorGuard guard;
    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.Connect(hosts, tunnel, GetParam());
    tunnel.MapWindow(hosts.Get(0), WINDOW, 0x10000, 1, REGION);
    Ptr<TlpTunnelNetDevice> sender = TlpTunnelHelper::GetNic(hosts.Get(0));
    Drops drops;
    sender->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Tap, &drops));
    TunnelAckHeader a;
    a.AddBlock(SequenceNumber32(3), SequenceNumber32(4));
    Ptr<Packet> body = Create<Packet>();
    body->AddHeader(a);
    Ptr<TlpTransport> forger = TlpTunnelHelper::GetNic(hosts.Get(1))->GetTransport();
    Simulator::Schedule(MicroSeconds(20),
                        &TlpTransport::Send,
                        forger,
                        Make(TunnelHeader::ACK, 0, 1, 0, {}, 0, 0, body),
                        0u);
    // Then a real write, acknowledged as usual.
    Simulator::Schedule(MicroSeconds(30),
                        &TlpCpu::Write,
                        TlpTunnelHelper::GetCpu(hosts.Get(0)),
                        WINDOW + 0x100,
                        std::vector<uint8_t>{1, 2, 3, 4},
                        TlpCpu::DoneCallback());
    Simulator::Run();
    EXPECT_TRUE(drops.reasons.empty());
    EXPECT_EQ(sender->GetStatistics().acksReceived, 2u);
    EXPECT_EQ(sender->GetSession(1)->GetUnacknowledged(), 0u);
    EXPECT_EQ(sender->GetStatistics().packetsRetransmitted, 0u);
    std::vector<uint8_t> landed(4);
    TlpTunnelHelper::GetMemory(hosts.Get(1))->GetStore().Read(REGION + 0x100, landed.data(), 4);
    EXPECT_EQ(ToHex(landed), "01020304");
}
