/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Identity and keys, on both transports: node 2 attacks while node 0 writes and
 * reads through its window onto node 1's region. Each attack is refused by one
 * check, counted and traced with its reason, answered with UR when it is a
 * non-posted request, and leaves memory exactly as the honest traffic made it
 * (images compared byte for byte). Each test fails when its check is removed.
 */

#include "tlp-nic-test-util.h"

#include "ns3/boolean.h"
#include "ns3/rng-seed-manager.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tunnel-grant-header.h"
#include "ns3/uinteger.h"

#include <algorithm>
#include <functional>
#include <gtest/gtest.h>
#include <set>
#include <tuple>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;
const uint64_t REGION = 0x0000000040000000ULL;
const uint8_t TRANSLATED = TunnelHeader::FLAG_TRANSLATED;
using D = TlpTunnelNetDevice;

/// Drop reasons per node.
struct DropLog
{
    void Tap(Ptr<const Packet>, uint8_t reason)
    {
        reasons.push_back(reason);
    }

    std::vector<uint8_t> reasons; //!< in order
};

/// A trace sink that runs a function object.
template <typename... Args>
struct Sink
{
    explicit Sink(std::function<void(Args...)> function)
        : f(function)
    {
    }

    void Call(Args... args)
    {
        f(args...);
    }

    /// \return a callback to this sink
    Callback<void, Args...> Get()
    {
        return MakeCallback(&Sink::Call, this);
    }

    std::function<void(Args...)> f; //!< what it runs
};

/// Three compute nodes on one star: 0 and 1 honest, 2 the rogue.
struct Trio : public ComputeNodes
{
    explicit Trio(const std::string& transport, bool reliable = true)
    {
        hosts.Create(3);
        tunnel.SetNicAttribute("Reliable", BooleanValue(reliable));
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
        for (uint32_t i = 0; i < 3; ++i)
        {
            Nic(i)->TraceConnectWithoutContext("Drop", MakeCallback(&DropLog::Tap, &drops[i]));
        }
    }

    /// Node 0's window onto node 1's REGION.
    void MapHonestWindow(uint64_t size = 0x10000)
    {
        tunnel.MapWindow(hosts.Get(0), WINDOW, size, 1, REGION);
    }

    /**
     * \brief Send a forged packet from a node's transport, now.
     * \param from the node whose transport sends it
     * \param to the destination node
     * \param packet the packet
     */
    void Forge(uint32_t from, uint32_t to, Ptr<Packet> packet)
    {
        ASSERT_TRUE(Nic(from)->GetTransport()->Send(packet, to));
    }

    /// \return the key node 1 granted node 0's window
    uint32_t Key()
    {
        return GrantedKey(Nic(1), 0);
    }

    void OnDone(const TlpCpu::Result& r)
    {
        results.push_back(r);
    }

    TlpCpu::DoneCallback Done()
    {
        return MakeCallback(&Trio::OnDone, this);
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    DropLog drops[3];
    std::vector<TlpCpu::Result> results;
};

/// A write of `data` at a region address (translated at the sender).
std::vector<uint8_t>
Write(uint64_t address, const std::vector<uint8_t>& data)
{
    return TlpBytes(TlpHeader::MakeMemWrite(address, static_cast<uint32_t>(data.size()), 0, 0),
                    data);
}

/// A 4-byte read at a region address, tag 7 of Requester ID 0x0100.
std::vector<uint8_t>
Read(uint64_t address)
{
    return TlpBytes(TlpHeader::MakeMemRead(address, 4, 0x0100, 7));
}

/// The completion statuses in the COMPLETION packets a NIC sent.
struct CompletionLog
{
    void Tap(Ptr<const Packet> packet)
    {
        Ptr<Packet> p = packet->Copy();
        TunnelHeader th;
        if (p->RemoveHeader(th) == 0 || th.GetKind() != TunnelHeader::COMPLETION)
        {
            return;
        }
        TlpHeader h;
        p->PeekHeader(h);
        if (h.IsCompletion())
        {
            statuses.push_back(h.GetStatus());
        }
    }

    std::vector<uint8_t> statuses; //!< in order
};

class Identity : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Identity, SpoofedSourceIsDroppedAndCounted)
{
    Trio t(GetParam());
    t.MapHonestWindow();
    CompletionLog answers;
    t.Nic(1)->TraceConnectWithoutContext("MacTx", MakeCallback(&CompletionLog::Tap, &answers));
    Later(MicroSeconds(20), [&t]() {
        // Node 2 claims to be node 0, with node 0's window, key and next sequence
        // number: only the link-level source gives it away.
        uint8_t flags = TRANSLATED | TunnelHeader::FLAG_RELIABLE;
        t.Forge(2,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             flags,
                             0,
                             0,
                             {Write(REGION + 0x100, {0xEE, 0xEE, 0xEE, 0xEE})},
                             0,
                             t.Key()));
        t.Forge(2, 1, TunnelPacket(TunnelHeader::DATA, flags, 0, 1, {Read(REGION)}, 0, t.Key()));
    });
    Simulator::Schedule(MicroSeconds(30),
                        &TlpCpu::Write,
                        t.Cpu(0),
                        WINDOW + 0x100,
                        std::vector<uint8_t>{1, 2, 3, 4},
                        t.Done());
    Simulator::Run();
    EXPECT_EQ(t.drops[1].reasons, std::vector<uint8_t>(2, D::DROP_SPOOFED_SOURCE));
    EXPECT_EQ(t.Nic(1)->GetStatistics().spoofedPackets, 2u);
    EXPECT_EQ(t.Nic(1)->GetStatistics().unsupportedRequests, 0u);
    EXPECT_TRUE(answers.statuses.empty()) << "a spoofed read is answered to nobody";
    // The honest write took sequence number 0 and landed; nothing else did.
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0xFC, 12)), "00000000 01020304 00000000");
    EXPECT_EQ(t.Memory(1)->GetStore().GetAllocatedPages(), 1u);
    EXPECT_EQ(D::DropReasonToString(D::DROP_SPOOFED_SOURCE), "spoofed source");
}

TEST_P(Identity, ForgedGrantAndRefusalAreDropped)
{
    Trio t(GetParam());
    // As node 0's GRANT_REQUEST leaves, forgeries that know its nonce race the real
    // GRANT: node 2 posing as node 1 (a grant of another region, a refusal), node 2
    // as itself, and node 1's own transport with another nonce.
    bool forged = false;
    auto onTx = [&t, &forged](Ptr<const Packet> packet) {
        TunnelHeader th;
        packet->PeekHeader(th);
        if (forged || th.GetKind() != TunnelHeader::GRANT_REQUEST)
        {
            return;
        }
        forged = true;
        uint32_t nonce = t.Nic(0)->GetWindow(0)->receivers.front().nonce;
        auto grant = [](uint8_t status) {
            TunnelGrantHeader g;
            g.windowBase = WINDOW;
            g.size = 0x10000;
            g.regionBase = 0x50000000;
            g.status = status;
            g.key = status == TunnelGrantHeader::GRANTED ? 0x1234 : 0;
            Ptr<Packet> body = Create<Packet>();
            body->AddHeader(g);
            return body;
        };
        Ptr<Packet> ok = grant(TunnelGrantHeader::GRANTED);
        Ptr<Packet> no = grant(TunnelGrantHeader::NO_ROOM);
        t.Forge(2, 0, TunnelPacket(TunnelHeader::GRANT, 0, 1, nonce, {}, 0, 0, 0, ok));
        t.Forge(2, 0, TunnelPacket(TunnelHeader::GRANT, 0, 1, nonce, {}, 0, 0, 0, no));
        t.Forge(2, 0, TunnelPacket(TunnelHeader::GRANT, 0, 2, nonce, {}, 0, 0, 0, ok));
        t.Forge(1, 0, TunnelPacket(TunnelHeader::GRANT, 0, 1, nonce + 1, {}, 0, 0, 0, ok));
        t.Forge(1, 0, TunnelPacket(TunnelHeader::GRANT, 0, 1, nonce + 1, {}, 0, 0, 0, no));
    };
    Sink<Ptr<const Packet>> tap(onTx);
    t.Nic(0)->TraceConnectWithoutContext("MacTx", tap.Get());
    t.MapHonestWindow();
    // 100 writes of 4 bytes, all through the window.
    std::vector<uint8_t> expected(400);
    for (uint32_t i = 0; i < 100; ++i)
    {
        std::vector<uint8_t> data = {uint8_t(i), uint8_t(i + 1), uint8_t(i + 2), uint8_t(i + 3)};
        std::copy(data.begin(), data.end(), expected.begin() + 4 * i);
        Simulator::Schedule(MicroSeconds(1 + i),
                            &TlpCpu::Write,
                            t.Cpu(0),
                            WINDOW + 4 * i,
                            data,
                            t.Done());
    }
    Simulator::Run();
    ASSERT_TRUE(forged);
    // Node 1's forgeries and node 2's cross the switch on different ports: any order.
    std::sort(t.drops[0].reasons.begin(), t.drops[0].reasons.end());
    EXPECT_EQ(t.drops[0].reasons,
              (std::vector<uint8_t>{D::DROP_UNEXPECTED,
                                    D::DROP_UNEXPECTED,
                                    D::DROP_UNEXPECTED,
                                    D::DROP_SPOOFED_SOURCE,
                                    D::DROP_SPOOFED_SOURCE}));
    const TlpWindow* w = t.Nic(0)->GetWindow(0);
    ASSERT_TRUE(w->IsGranted());
    EXPECT_EQ(w->GetRegionBase(), REGION);
    EXPECT_EQ(w->receivers.front().key, t.Key());
    EXPECT_NE(t.Key(), 0u);
    EXPECT_EQ(t.Nic(0)->GetStatistics().grantFailures, 0u);
    ASSERT_EQ(t.results.size(), 100u);
    EXPECT_EQ(ToHex(t.Image(1, REGION, 400)), ToHex(expected));
    EXPECT_EQ(ToHex(t.Image(1, 0x50000000, 16)), ToHex(std::vector<uint8_t>(16, 0)));
    EXPECT_EQ(t.Memory(1)->GetStore().GetAllocatedPages(), 1u);
}

TEST_P(Identity, ForgedCompletionIsDropped)
{
    Trio t(GetParam());
    t.MapHonestWindow();
    t.Memory(1)->GetStore().Write(REGION + 0x40,
                                  std::vector<uint8_t>{0x11, 0x22, 0x33, 0x44}.data(),
                                  4);
    // When node 0's read leaves for node 1, node 2 answers it first: as itself, and
    // posing as node 1.
    auto onTlp = [&t](Ptr<const Packet> tlp) {
        TlpHeader r;
        tlp->PeekHeader(r);
        if (r.IsPosted())
        {
            return;
        }
        TlpHeader c = TlpHeader::MakeCompletion(TlpHeader::SC,
                                                0x0100,
                                                r.GetRequesterId(),
                                                r.GetTag(),
                                                4,
                                                0x40,
                                                1);
        std::vector<uint8_t> bad = TlpBytes(c, {0xBA, 0xD0, 0xBA, 0xD0});
        t.Forge(2, 0, TunnelPacket(TunnelHeader::COMPLETION, 0, 2, 0, {bad}));
        t.Forge(2, 0, TunnelPacket(TunnelHeader::COMPLETION, 0, 1, 0, {bad}));
    };
    Sink<Ptr<const Packet>> tap(onTlp);
    t.Nic(0)->TraceConnectWithoutContext("TlpTx", tap.Get());
    Simulator::Schedule(MicroSeconds(20), &TlpCpu::Read, t.Cpu(0), WINDOW + 0x40, 4u, t.Done());
    Simulator::Run();
    EXPECT_EQ(t.drops[0].reasons,
              (std::vector<uint8_t>{D::DROP_UNKNOWN_REQUESTER, D::DROP_SPOOFED_SOURCE}));
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(+t.results[0].status, +TlpHeader::SC);
    EXPECT_EQ(ToHex(t.results[0].data), "11223344");
}

class Replay : public ::testing::TestWithParam<std::tuple<std::string, bool>>
{
};

TEST_P(Replay, OldPacketIsADuplicate)
{
    Trio t(std::get<0>(GetParam()), std::get<1>(GetParam()));
    t.MapHonestWindow();
    // Recorded as node 1 received it; replayed after a later write to the same bytes,
    // by node 2 and by a node that also forges node 0's link-level source.
    Ptr<Packet> recorded;
    auto onRx = [&recorded](Ptr<const Packet> packet) {
        TunnelHeader th;
        packet->PeekHeader(th);
        if (recorded == nullptr && th.GetKind() == TunnelHeader::DATA)
        {
            recorded = packet->Copy();
        }
    };
    Sink<Ptr<const Packet>> tap(onRx);
    t.Nic(1)->TraceConnectWithoutContext("MacRx", tap.Get());
    Simulator::Schedule(MicroSeconds(20),
                        &TlpCpu::Write,
                        t.Cpu(0),
                        WINDOW + 0x100,
                        std::vector<uint8_t>{1, 2, 3, 4},
                        t.Done());
    Simulator::Schedule(MicroSeconds(40),
                        &TlpCpu::Write,
                        t.Cpu(0),
                        WINDOW + 0x100,
                        std::vector<uint8_t>{5, 6, 7, 8},
                        t.Done());
    Later(MicroSeconds(60), [&t, &recorded]() {
        ASSERT_NE(recorded, nullptr);
        t.Forge(2, 1, recorded->Copy());
        t.Forge(0, 1, recorded->Copy());
    });
    Simulator::Run();
    EXPECT_EQ(t.drops[1].reasons,
              (std::vector<uint8_t>{D::DROP_SPOOFED_SOURCE, D::DROP_DUPLICATE}));
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0x100, 4)), "05060708");
    EXPECT_EQ(t.results.size(), 2u);
}

TEST_P(Identity, WrongKeyIsRefusedWithUr)
{
    Trio t(GetParam());
    t.MapHonestWindow();
    CompletionLog answers;
    t.Nic(1)->TraceConnectWithoutContext("MacTx", MakeCallback(&CompletionLog::Tap, &answers));
    // From node 0's own link-level address: only the key is wrong. Guesses near the
    // key, 0, and every bit flipped; then the one write with the key.
    Later(MicroSeconds(20), [&t]() {
        uint32_t k = t.Key();
        uint32_t seq = 0;
        for (uint32_t guess : {k + 1, k - 1, 0u, ~k, k ^ 0x80000000u})
        {
            t.Forge(0,
                    1,
                    TunnelPacket(TunnelHeader::DATA,
                                 TRANSLATED,
                                 0,
                                 seq++,
                                 {Write(REGION + 0x200, {9, 9, 9, 9})},
                                 0,
                                 guess));
        }
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA, TRANSLATED, 0, seq++, {Read(REGION)}, 0, k ^ 1));
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             TRANSLATED,
                             0,
                             seq++,
                             {Write(REGION + 0x100, {1, 2, 3, 4})},
                             0,
                             k));
    });
    Simulator::Run();
    EXPECT_EQ(t.drops[1].reasons, std::vector<uint8_t>(5, D::DROP_BAD_KEY));
    EXPECT_EQ(t.Nic(1)->GetStatistics().badKeys, 6u);
    EXPECT_EQ(t.Nic(1)->GetStatistics().unsupportedRequests, 1u);
    EXPECT_EQ(answers.statuses, std::vector<uint8_t>{TlpHeader::UR});
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0x100, 0x104)), ToHex([] {
                  std::vector<uint8_t> v(0x104, 0);
                  v[0] = 1, v[1] = 2, v[2] = 3, v[3] = 4;
                  return v;
              }()));
    EXPECT_EQ(t.Memory(1)->GetStore().GetAllocatedPages(), 1u);
}

TEST_P(Identity, OutsideTheGrantedRangeIsRefused)
{
    Trio t(GetParam());
    t.MapHonestWindow();
    // Node 2 has a window of its own at node 1, and its key: it still writes only there.
    t.tunnel.MapWindow(t.hosts.Get(2), WINDOW, 0x1000, 1);
    CompletionLog answers;
    t.Nic(1)->TraceConnectWithoutContext("MacTx", MakeCallback(&CompletionLog::Tap, &answers));
    Later(MicroSeconds(20), [&t]() {
        uint32_t k = t.Key();
        uint32_t k2 = GrantedKey(t.Nic(1), 2);
        ASSERT_NE(k2, 0u);
        ASSERT_NE(k2, k);
        uint32_t seq = 0;
        // Node 0: past the end, straddling the end, just before the start, a read past it.
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             TRANSLATED,
                             0,
                             seq++,
                             {Write(REGION + 0x10000, {9, 9, 9, 9})},
                             0,
                             k));
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             TRANSLATED,
                             0,
                             seq++,
                             {Write(REGION + 0xFFFC, {9, 9, 9, 9, 9, 9, 9, 9})},
                             0,
                             k));
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             TRANSLATED,
                             0,
                             seq++,
                             {Write(REGION - 4, {9, 9, 9, 9})},
                             0,
                             k));
        t.Forge(
            0,
            1,
            TunnelPacket(TunnelHeader::DATA, TRANSLATED, 0, seq++, {Read(REGION + 0x10000)}, 0, k));
        // And the one good write.
        t.Forge(0,
                1,
                TunnelPacket(TunnelHeader::DATA,
                             TRANSLATED,
                             0,
                             seq++,
                             {Write(REGION + 0xFFFC, {1, 2, 3, 4})},
                             0,
                             k));
    });
    Later(MicroSeconds(30), [&t]() {
        // Node 2, with its own window and key, into node 0's region; with node 0's key.
        uint32_t k2 = GrantedKey(t.Nic(1), 2);
        std::vector<uint8_t> w = Write(REGION + 0x300, {9, 9, 9, 9});
        t.Forge(2, 1, TunnelPacket(TunnelHeader::DATA, TRANSLATED, 2, 0, {w}, 0, k2));
        t.Forge(2, 1, TunnelPacket(TunnelHeader::DATA, TRANSLATED, 2, 1, {w}, 0, t.Key()));
    });
    Simulator::Run();
    EXPECT_EQ(t.drops[1].reasons,
              (std::vector<uint8_t>{D::DROP_NO_REGION,
                                    D::DROP_NO_REGION,
                                    D::DROP_NO_REGION,
                                    D::DROP_NO_REGION,
                                    D::DROP_BAD_KEY}));
    EXPECT_EQ(answers.statuses, std::vector<uint8_t>{TlpHeader::UR});
    std::vector<uint8_t> edge(16, 0);
    edge[8] = 1, edge[9] = 2, edge[10] = 3, edge[11] = 4;
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0xFFF4, 16)), ToHex(edge));
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0x300, 4)), "00000000");
    EXPECT_EQ(ToHex(t.Image(1, REGION - 4, 4)), "00000000");
}

TEST_P(Identity, KeysAreDrawnPerGrantAndRepeatWithTheSeed)
{
    auto keys = [](uint32_t run) {
        RngSeedManager::SetRun(run);
        Trio t(GetParam());
        t.tunnel.AssignStreams(t.hosts, 100);
        t.MapHonestWindow();
        t.tunnel.MapWindow(t.hosts.Get(0), WINDOW + 0x10000, 0x1000, 1);
        t.tunnel.MapWindow(t.hosts.Get(2), WINDOW, 0x1000, 1);
        Simulator::Run();
        std::vector<uint32_t> k = {GrantedKey(t.Nic(1), 0, 0),
                                   GrantedKey(t.Nic(1), 0, 1),
                                   GrantedKey(t.Nic(1), 2, 0)};
        EXPECT_EQ(t.Nic(0)->GetWindow(0)->receivers.front().key, k[0]);
        EXPECT_EQ(t.Nic(0)->GetWindow(1)->receivers.front().key, k[1]);
        EXPECT_EQ(t.Nic(2)->GetWindow(0)->receivers.front().key, k[2]);
        return k;
    };
    std::vector<uint32_t> a = keys(1);
    std::vector<uint32_t> b = keys(1);
    std::vector<uint32_t> c = keys(2);
    RngSeedManager::SetRun(1);
    EXPECT_EQ(a, b) << "one seed and run, one set of keys";
    EXPECT_NE(a, c) << "another run, other keys";
    EXPECT_EQ(std::set<uint32_t>(a.begin(), a.end()).size(), 3u);
    EXPECT_EQ(std::count(a.begin(), a.end(), 0u), 0);
}

TEST_P(Identity, ExplicitBaseAndPoolGrantsNeverOverlap)
{
    // The export pool starts at 4 GiB (ExportBase): node 0 asks for exactly
    // 0x100000000, node 2 for anywhere. Both write 64 bytes of their own.
    Trio t(GetParam());
    t.tunnel.MapWindow(t.hosts.Get(0), WINDOW, 0x10000, 1, 0x100000000ULL);
    Later(MicroSeconds(10), [&t]() { t.tunnel.MapWindow(t.hosts.Get(2), WINDOW, 0x10000, 1); });
    std::vector<uint8_t> a(64, 0xA0);
    std::vector<uint8_t> b(64, 0xB0);
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Write, t.Cpu(0), WINDOW, a, t.Done());
    Simulator::Schedule(MicroSeconds(50), &TlpCpu::Write, t.Cpu(2), WINDOW, b, t.Done());
    Simulator::Run();
    uint64_t base0 = t.Nic(0)->GetWindow(0)->GetRegionBase();
    uint64_t base2 = t.Nic(2)->GetWindow(0)->GetRegionBase();
    EXPECT_EQ(base0, 0x100000000ULL);
    EXPECT_EQ(base2, 0x100010000ULL) << "first fit after the explicit region";
    EXPECT_EQ(ToHex(t.Image(1, base0, 64)), ToHex(a));
    EXPECT_EQ(ToHex(t.Image(1, base2, 64)), ToHex(b));
    EXPECT_EQ(t.Nic(1)->GetExportTable().GetNRegions(), 2u);
}

TEST_P(Identity, ExhaustionAndReleaseAreReported)
{
    Trio t(GetParam());
    // A pool of 64 KiB: node 0's window takes it all, node 2's finds no room until
    // node 1 releases node 0's grant.
    t.Nic(1)->SetAttribute("ExportSize", UintegerValue(0x10000));
    std::vector<std::tuple<uint32_t, uint16_t, uint8_t, uint64_t>> answered;
    std::vector<std::tuple<uint32_t, uint16_t, uint8_t, uint64_t>> released;
    auto onAnswer = [&answered](uint32_t peer, uint16_t window, uint8_t status, uint64_t base) {
        answered.emplace_back(peer, window, status, base);
    };
    auto onRelease = [&released](uint32_t peer, uint16_t window, uint8_t status, uint64_t base) {
        released.emplace_back(peer, window, status, base);
    };
    Sink<uint32_t, uint16_t, uint8_t, uint64_t> answerSink(onAnswer);
    Sink<uint32_t, uint16_t, uint8_t, uint64_t> releaseSink(onRelease);
    t.Nic(1)->TraceConnectWithoutContext("ExportAnswered", answerSink.Get());
    t.Nic(1)->TraceConnectWithoutContext("ExportReleased", releaseSink.Get());
    std::vector<uint8_t> failed;
    Sink<uint32_t, uint16_t, uint8_t> failedSink(
        [&failed](uint32_t, uint16_t, uint8_t reason) { failed.push_back(reason); });
    t.Nic(2)->TraceConnectWithoutContext("GrantFailed", failedSink.Get());
    t.tunnel.MapWindow(t.hosts.Get(0), WINDOW, 0x10000, 1);
    Later(MicroSeconds(10), [&t]() { t.tunnel.MapWindow(t.hosts.Get(2), WINDOW, 0x1000, 1); });
    Later(MicroSeconds(50), [&t]() {
        EXPECT_TRUE(t.Nic(1)->ReleaseExport(0, 0));
        EXPECT_FALSE(t.Nic(1)->ReleaseExport(0, 0));
        // Node 2 asks again with a new window; node 0 writes through its released one.
        t.tunnel.MapWindow(t.hosts.Get(2), WINDOW + 0x10000, 0x1000, 1);
        t.Cpu(0)->Write(WINDOW, {1, 2, 3, 4}, t.Done());
        t.Cpu(0)->Read(WINDOW, 4, t.Done());
    });
    Later(MicroSeconds(100), [&t]() { t.Cpu(2)->Write(WINDOW + 0x10000, {5, 6, 7, 8}, t.Done()); });
    Simulator::Run();
    const uint64_t pool = 0x100000000ULL;
    ASSERT_EQ(answered.size(), 3u);
    EXPECT_EQ(answered[0],
              std::make_tuple(0u, uint16_t(0), uint8_t(TunnelGrantHeader::GRANTED), pool));
    EXPECT_EQ(answered[1],
              std::make_tuple(2u, uint16_t(0), uint8_t(TunnelGrantHeader::NO_ROOM), uint64_t(0)));
    EXPECT_EQ(answered[2],
              std::make_tuple(2u, uint16_t(1), uint8_t(TunnelGrantHeader::GRANTED), pool));
    ASSERT_EQ(released.size(), 1u);
    EXPECT_EQ(released[0],
              std::make_tuple(0u, uint16_t(0), uint8_t(TunnelGrantHeader::GRANTED), pool));
    EXPECT_EQ(failed, std::vector<uint8_t>{TunnelGrantHeader::NO_ROOM});
    const D::Statistics& s = t.Nic(1)->GetStatistics();
    EXPECT_EQ(s.exportsGranted, 2u);
    EXPECT_EQ(s.exportsRefused, 1u);
    EXPECT_EQ(s.exportsReleased, 1u);
    // Node 0's write after the release was refused (its read with UR); node 2's landed
    // in the room it freed.
    EXPECT_EQ(t.drops[1].reasons, std::vector<uint8_t>{D::DROP_NO_REGION});
    ASSERT_EQ(t.results.size(), 3u);
    EXPECT_EQ(+t.results[1].status, +TlpHeader::UR);
    EXPECT_EQ(ToHex(t.Image(1, pool, 8)), "05060708 00000000");
}

TEST_P(Identity, BadEcrcIsDroppedBeforeTranslationNeverResigned)
{
    // Node 0 translates at the sender, so its NIC edits every request's address and
    // signs it again: it must check the old ECRC first.
    Trio t(GetParam());
    t.MapHonestWindow();
    std::vector<Ptr<const Packet>> placed;
    Sink<Ptr<const Packet>> onPlaced([&placed](Ptr<const Packet> tlp) { placed.push_back(tlp); });
    t.Nic(1)->TraceConnectWithoutContext("TlpRx", onPlaced.Get());
    auto signedTlp = [](TlpHeader h, const std::vector<uint8_t>& data, bool corrupt) {
        h.SetDigest(true);
        Ptr<Packet> p = data.empty() ? Create<Packet>() : Create<Packet>(data.data(), data.size());
        p->AddHeader(h);
        TlpEcrcTrailer::Append(p);
        std::vector<uint8_t> bytes = Bytes(p);
        if (corrupt)
        {
            bytes[bytes.size() - 5] ^= 0x01; // one bit of the last data byte
        }
        return Create<Packet>(bytes.data(), bytes.size());
    };
    std::vector<uint8_t> data = {1, 2, 3, 4};
    Ptr<Packet> good =
        signedTlp(TlpHeader::MakeMemWrite(WINDOW + 0x100, 4, 0x0100, 0), data, false);
    Ptr<Packet> bad = signedTlp(TlpHeader::MakeMemWrite(WINDOW + 0x200, 4, 0x0100, 0), data, true);
    Ptr<Packet> badRead = signedTlp(TlpHeader::MakeMemRead(WINDOW + 0x100, 4, 0x0100, 3), {}, true);
    Ptr<PcieRootComplex> rc = t.RootComplex(0);
    uint32_t agent = t.Memory(0)->GetAgent();
    Later(MicroSeconds(20), [rc, agent, good, bad, badRead]() {
        rc->Send(agent, bad);
        rc->Send(agent, badRead);
        rc->Send(agent, good);
    });
    Simulator::Run();
    EXPECT_EQ(t.drops[0].reasons, std::vector<uint8_t>(2, D::DROP_ECRC));
    EXPECT_EQ(t.Nic(0)->GetStatistics().unsupportedRequests, 1u) << "the read answered with UR";
    EXPECT_EQ(t.Nic(0)->GetStatistics().tlpsToNetwork, 1u);
    EXPECT_TRUE(t.drops[1].reasons.empty());
    // Only the good write crossed, translated and signed again: its ECRC checks.
    ASSERT_EQ(placed.size(), 1u);
    std::vector<uint8_t> bytes = Bytes(placed[0]);
    EXPECT_EQ(TlpEcrcTrailer::Calculate(bytes.data(), bytes.size()), TlpEcrcTrailer::RESIDUE);
    TlpHeader h;
    placed[0]->PeekHeader(h);
    EXPECT_EQ(h.GetAddress(), REGION + 0x100);
    EXPECT_EQ(ToHex(t.Image(1, REGION + 0x100, 0x104)), ToHex([] {
                  std::vector<uint8_t> v(0x104, 0);
                  v[0] = 1, v[1] = 2, v[2] = 3, v[3] = 4;
                  return v;
              }()));
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Identity,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));
INSTANTIATE_TEST_SUITE_P(TransportsAndReliability,
                         Replay,
                         ::testing::Combine(::testing::Values(std::string("ethernet"),
                                                              std::string("udp")),
                                            ::testing::Bool()));
