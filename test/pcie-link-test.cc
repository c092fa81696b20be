/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * PcieLink and PciePort between two bare devices: rates and symbol times of every
 * generation, framing, serialization against the formula, SKP ordered sets, Ack and
 * UpdateFC DLLPs at the spec's coalescing and as occupancy of the direction they
 * travel, pcie-bench's deductions, flow control credits and the ordering rules.
 */

#include "tlp-test-util.h"

#include "ns3/enum.h"
#include "ns3/uinteger.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

/// Two bare devices on one link: `up` on the upstream end, `down` on the other.
struct Pair
{
    explicit Pair(uint32_t generation = 3, uint32_t width = 8, Ptr<PciePort> downPort = nullptr)
    {
        link = CreateObject<PcieLink>();
        link->SetAttribute("Generation", UintegerValue(generation));
        link->SetAttribute("Width", UintegerValue(width));
        link->SetAttribute("Latency", TimeValue(NanoSeconds(50)));
        Ptr<PciePort> upPort = CreateObject<PciePort>();
        downPort = downPort != nullptr ? downPort : CreateObject<PciePort>();
        upPort->SetName("up");
        downPort->SetName("down");
        link->Attach(upPort, downPort);
        up = std::make_unique<Probe>(upPort);
        down = std::make_unique<Probe>(downPort);
    }

    ~Pair()
    {
        // Bare ports belong to no node, root complex or device that would dispose them:
        // break the references between the link and its ends here.
        up->Port()->Dispose();
        down->Port()->Dispose();
    }

    SimulatorGuard guard;
    Ptr<PcieLink> link;
    std::unique_ptr<Probe> up;
    std::unique_ptr<Probe> down;
};

/// A port whose receiver advertises the given posted and non-posted header credits.
Ptr<PciePort>
PortWithCredits(uint32_t ph, uint32_t nph, uint32_t cplh = 0)
{
    Ptr<PciePort> p = CreateObject<PciePort>();
    p->SetAttribute("PostedHeaderCredits", UintegerValue(ph));
    p->SetAttribute("NonPostedHeaderCredits", UintegerValue(nph));
    p->SetAttribute("CompletionHeaderCredits", UintegerValue(cplh));
    p->SetAttribute("CompletionDataCredits", UintegerValue(cplh ? 2047 : 0));
    return p;
}

/// Wire time in ps of `bytes` (TLP or DLLP with framing) at a bit rate.
double
WirePs(double bytes, double bitsPerSecond)
{
    return bytes * 8 * 1e12 / bitsPerSecond;
}

/// The kind and tag of each TLP a probe received, as "MWr:0" strings.
std::vector<std::string>
Order(const Probe& p)
{
    std::vector<std::string> order;
    for (size_t i = 0; i < p.received.size(); ++i)
    {
        TlpHeader h = p.Header(i);
        order.push_back(TlpHeader::KindToString(h.GetKind()) + ":" + std::to_string(h.GetTag()));
    }
    return order;
}

/// Sends n 64-byte writes as fast as a port takes them, resuming on its ready callback.
struct Streamer
{
    Streamer(Probe& probe, int n, uint16_t requester = 0x10)
        : probe(probe),
          n(n),
          requester(requester)
    {
        probe.Port()->SetReadyCallback(MakeCallback(&Streamer::Pump, this));
        Simulator::ScheduleNow(&Streamer::Pump, this);
    }

    void Pump()
    {
        while (sent < n && probe.Send(TlpHeader::MakeMemWrite(sent * 64ULL, 64, requester, 0),
                                      std::vector<uint8_t>(64, 0)))
        {
            ++sent;
        }
    }

    Probe& probe;
    int n;
    uint16_t requester;
    int sent = 0;
};

/// Schedule a device's ReturnCredits(1) every 10 us, `times` times from 10 us on.
void
ReturnEvery10Us(Ptr<PciePort> port, int times)
{
    for (int i = 1; i <= times; ++i)
    {
        Simulator::Schedule(MicroSeconds(10 * i), &PciePort::ReturnCredits, port, 1);
    }
}

/// Records the order in which a port placed TLPs on its link.
struct TxOrder
{
    explicit TxOrder(Ptr<PciePort> port)
    {
        port->TraceConnectWithoutContext("Tx", MakeCallback(&TxOrder::Tlp, this));
    }

    void Tlp(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        sent.push_back(TlpHeader::KindToString(h.GetKind()) + ":" + std::to_string(h.GetTag()));
        at.push_back(Simulator::Now());
    }

    std::vector<std::string> sent; //!< "Kind:tag" in order
    std::vector<Time> at;          //!< when
};

/// A 64-byte MWr32 with a tag to tell it apart.
TlpHeader
Write(uint16_t tag, uint8_t attr = 0, uint16_t requester = 0x10)
{
    TlpHeader h = TlpHeader::MakeMemWrite(0x1000, 64, requester, 0);
    h.SetTag(tag); // posted requests carry a tag too; it marks them here
    h.SetAttributes(attr);
    return h;
}

} // namespace

TEST(PcieLink, RatesAndSymbolTimesOfEveryGeneration)
{
    // GT/s x lanes x encoding (8b/10b for Gen1/2, 128b/130b from Gen3).
    struct Row
    {
        uint32_t gen;
        uint32_t width;
        uint64_t bps;
        int64_t symbolPs;
    };

    const Row rows[] = {
        {1, 1, 2000000000ULL, 4000},
        {2, 4, 16000000000ULL, 2000},
        {3, 8, 63015384615ULL, 1000}, // 8e9 x 8 x 128 / 130
        {4, 16, 252061538462ULL, 500},
        {5, 2, 63015384615ULL, 250},
    };
    for (const Row& r : rows)
    {
        Ptr<PcieLink> link = CreateObject<PcieLink>();
        link->SetAttribute("Generation", UintegerValue(r.gen));
        link->SetAttribute("Width", UintegerValue(r.width));
        EXPECT_EQ(link->GetDataRate().GetBitRate(), r.bps) << "Gen" << r.gen;
        EXPECT_EQ(link->GetSymbolTime(), PicoSeconds(r.symbolPs)) << "Gen" << r.gen;
        EXPECT_EQ(link->GetFramingBytes(), 8u);
        EXPECT_EQ(link->GetDllpBytes(), 8u);
    }
}

TEST(PcieLink, SpecLatencyTablesAndSkpIntervals)
{
    // Spot checks of the spec's tables against its formula ((MPS + 28) x AckFactor /
    // width + internal delay): 2.5 GT/s x1 MPS 128: 156 x 1.4 + 19 = 237; x8 MPS 256:
    // 284 x 2.5 / 8 + 19 = 107; 8 GT/s x8 MPS 256: 88.75 + 115 = 203; x16: 168.
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(1, 1, 128), 237u);
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(1, 8, 256), 107u);
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(2, 8, 256), 158u);
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(3, 8, 256), 203u);
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(4, 16, 256), 168u);
    EXPECT_EQ(PcieLink::GetSpecLatencySymbols(5, 16, 4096), 630u);
    Ptr<PcieLink> link = CreateObject<PcieLink>(); // Gen3 x8, MPS 256
    EXPECT_EQ(link->GetAckLatency(), NanoSeconds(203));
    EXPECT_EQ(link->GetUpdateFcLatency(), NanoSeconds(203));
    EXPECT_DOUBLE_EQ(link->GetSkpFraction(), 1.0 / 375);
    link->SetAttribute("MaxPayloadSize", UintegerValue(512));
    EXPECT_EQ(link->GetAckLatency(), NanoSeconds(182));
    link->SetAttribute("AckLatency", TimeValue(NanoSeconds(1000)));
    EXPECT_EQ(link->GetAckLatency(), NanoSeconds(1000));
    link->SetAttribute("Generation", UintegerValue(1));
    EXPECT_EQ(link->GetUpdateFcLatency(), NanoSeconds(86 * 4)); // 86 symbol times of 4 ns
    EXPECT_DOUBLE_EQ(link->GetSkpFraction(), 4.0 / 1538);
    link->SetAttribute("SkpInterval", UintegerValue(1180));
    EXPECT_DOUBLE_EQ(link->GetSkpFraction(), 4.0 / 1180);
}

TEST(PcieLink, OneTlpTakesItsSerializationAndTheLatency)
{
    for (uint32_t gen = 1; gen <= 5; ++gen)
    {
        Pair p(gen, 4);
        // A 64-byte MWr32: 12 + 64 bytes and 8 of framing, at the rate less SKP.
        double rate = p.link->GetDataRate().GetBitRate() * (1 - p.link->GetSkpFraction());
        double arrivalPs = 1e6 + WirePs(76 + 8, rate) + 50e3;
        Simulator::Schedule(MicroSeconds(1),
                            &Probe::SendData,
                            p.up.get(),
                            TlpHeader::MakeMemWrite(0x100, 64, 0x10, 0),
                            std::vector<uint8_t>(64, 1));
        Simulator::Run();
        ASSERT_EQ(p.down->received.size(), 1u);
        // Delivered at the first nanosecond not before its exact arrival.
        EXPECT_EQ(p.down->received[0].at, NanoSeconds(int64_t(std::ceil(arrivalPs / 1000))))
            << "Gen" << gen;
        EXPECT_NEAR(p.link->GetSerializationPs(76), WirePs(84, rate), 0.5);
        EXPECT_EQ(p.link->GetStatistics(PcieLink::DOWNSTREAM).tlps, 1u);
        EXPECT_EQ(p.link->GetStatistics(PcieLink::UPSTREAM).tlps, 0u);
        // The Ack goes back upstream.
        EXPECT_EQ(p.link->GetStatistics(PcieLink::UPSTREAM).acks, 1u);
        EXPECT_EQ(p.link->GetStatistics(PcieLink::DOWNSTREAM).acks, 0u);
    }
}

TEST(PcieLink, SerializationIsExactOverManyTlps)
{
    // At Gen3 x8 a byte takes 127.3 ps: 10000 back-to-back TLPs must not drift by the
    // rounding of each one to the picosecond, or of events to the nanosecond.
    Pair p;
    const int n = 10000;
    Streamer stream(*p.up, n);
    // The downstream port's credits (PH 127) and the transmit queue bound what is
    // taken; credits return by UpdateFC as the probe takes TLPs, faster than the wire
    // drains: the wire never idles.
    Simulator::Run();
    ASSERT_EQ(p.down->received.size(), size_t(n));
    double rate = 63015384615.4 * (1 - 1.0 / 375);
    // The last n/2 TLPs flow at the wire's pace.
    double got = (p.down->received.back().at - p.down->received[n / 2].at).GetPicoSeconds();
    EXPECT_NEAR(got, (n / 2 - 1) * WirePs(84, rate), 1000.0);
}

TEST(PcieLink, AcksAreCoalescedAtTheSpecLatency)
{
    // TLPs every 100 ns; the Ack latency (203 ns at Gen3 x8, MPS 256) covers the
    // arrivals up to 203 ns after the first unacknowledged one: with arrivals 100 ns
    // apart, one Ack per three TLPs.
    Pair p;
    const int n = 30;
    for (int i = 0; i < n; ++i)
    {
        Simulator::Schedule(NanoSeconds(100 * i),
                            &Probe::SendData,
                            p.up.get(),
                            TlpHeader::MakeMemWrite(64ULL * i, 64, 0x10, 0),
                            std::vector<uint8_t>(64, 0));
    }
    Simulator::Run();
    EXPECT_EQ(p.link->GetStatistics(PcieLink::UPSTREAM).acks, uint64_t(n / 3));
    // An AckLatency below the spacing acknowledges every TLP on its own.
    Pair q;
    q.link->SetAttribute("AckLatency", TimeValue(NanoSeconds(90)));
    for (int i = 0; i < n; ++i)
    {
        Simulator::Schedule(NanoSeconds(100 * i),
                            &Probe::SendData,
                            q.up.get(),
                            TlpHeader::MakeMemWrite(64ULL * i, 64, 0x10, 0),
                            std::vector<uint8_t>(64, 0));
    }
    Simulator::Run();
    EXPECT_EQ(q.link->GetStatistics(PcieLink::UPSTREAM).acks, uint64_t(n));
}

TEST(PcieLink, DllpsOccupyTheDirectionTheyTravel)
{
    // A stream downstream makes the downstream port's receiver send Acks and UpdateFCs
    // upstream; TLPs sent upstream at the same time are delayed by them, and by
    // nothing else: the upstream stream's time is its TLPs plus the DLLPs placed
    // before its last TLP.
    Pair p;
    const int n = 2000;
    Streamer downstream(*p.up, n, 0x10);
    Streamer upstream(*p.down, n, 0x20);
    Simulator::Run();
    ASSERT_EQ(p.up->received.size(), size_t(n));
    ASSERT_EQ(p.down->received.size(), size_t(n));
    const PcieLink::Statistics& up = p.link->GetStatistics(PcieLink::UPSTREAM);
    const PcieLink::Statistics& down = p.link->GetStatistics(PcieLink::DOWNSTREAM);
    EXPECT_EQ(up.tlps, uint64_t(n));
    EXPECT_GT(up.acks, 0u);
    EXPECT_GT(up.updateFcs, 0u);
    EXPECT_EQ(up.acks, down.acks); // symmetric traffic
    double rate = 63015384615.4 * (1 - 1.0 / 375);
    double tlpPs = WirePs(84, rate);
    double dllpPs = WirePs(8, rate);
    // Both directions run back to back from the start (the credits suffice: 127 PH
    // and UpdateFCs every 203 ns carry 18 TLPs' worth): the span from the first to the
    // last delivery upstream is (n - 1) TLPs plus the DLLPs between them.
    double span = (p.up->received.back().at - p.up->received.front().at).GetPicoSeconds();
    double dllps = (span - (n - 1) * tlpPs) / dllpPs;
    // The DLLPs due after the last upstream TLP started are not among them: those of
    // the last Ack and UpdateFC latencies, a few.
    EXPECT_LE(dllps, double(up.acks + up.updateFcs) + 0.5);
    EXPECT_GE(dllps, double(up.acks + up.updateFcs) - 8);
    // DLLPs take (acks + UpdateFCs) x 1 ns of ~2000 x 10.7 ns: about 1 % here.
    EXPECT_LT(dllps * dllpPs / span, 0.02);
}

TEST(PcieLink, PcieBenchAccountingDeductsItsOverheads)
{
    // pcie-bench's model (model/pcie.py of pcie-bench/pcie-model): TLP bandwidth =
    // raw x (1 - 8/AckLimit - 8/FCGuide - 4/1538), the limits from the spec's tables:
    // Gen3 x8 MPS 256: 63.0154 x (1 - 16/203 - 4/1538) = 57.885 Gb/s;
    // Gen4 x16 MPS 256: 252.0615 x (1 - 16/168 - 4/1538) = 227.400 Gb/s.
    struct Row
    {
        uint32_t gen;
        uint32_t width;
        double gbps;
    };

    for (const Row& r : {Row{3, 8, 57.8851}, Row{4, 16, 227.3994}})
    {
        Pair p(r.gen, r.width);
        p.link->SetAttribute("Accounting", EnumValue(PcieLink::PCIE_BENCH));
        EXPECT_NEAR(p.link->GetEffectiveBitRate() / 1e9, r.gbps, 1e-3);
        // No DLLP occupies the wire: a stream takes exactly its TLPs' time, though the
        // other direction is as busy.
        const int n = 1000;
        Streamer downstream(*p.up, n, 0x10);
        Streamer upstream(*p.down, n, 0x20);
        Simulator::Run();
        ASSERT_EQ(p.down->received.size(), size_t(n));
        double span = (p.down->received.back().at - p.down->received[n / 2].at).GetPicoSeconds();
        EXPECT_NEAR(span, (n / 2 - 1) * WirePs(84, r.gbps * 1e9), 1000.0);
    }
}

TEST(PcieLink, CreditsHoldTheTransmitterUntilUpdateFc)
{
    // The receiver advertises two posted headers and its device holds one TLP: writes
    // 0 and 1 leave at once, write 2 waits at the transmitter for a credit. Write 0
    // reaches the device and leaves the receive buffer: its credit goes back by an
    // UpdateFC sent at once (the transmitter waits), and write 2 leaves when that
    // arrives. Write 1 waits in the buffer, holding its credit, until the device is
    // done with write 0.
    Pair p(3, 8, PortWithCredits(2, 8));
    p.down->Port()->SetReceiveCredits(1);
    TxOrder tx(p.up->Port());
    uint32_t waits = 0;

    struct Count
    {
        uint32_t* n;

        void Tlp(Ptr<const Packet>)
        {
            ++*n;
        }
    } count{&waits};

    p.up->Port()->TraceConnectWithoutContext("CreditWait", MakeCallback(&Count::Tlp, &count));
    for (uint16_t i = 0; i < 3; ++i)
    {
        EXPECT_TRUE(p.up->Send(Write(i), std::vector<uint8_t>(64, 0)));
    }
    EXPECT_EQ(waits, 1u);
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::POSTED), 1u);
    Simulator::Stop(MicroSeconds(5));
    Simulator::Run();
    ASSERT_EQ(p.down->received.size(), 1u);
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::POSTED), 0u);
    // Write 0 is delivered at ceil(10.69 + 50) = 61 ns; the UpdateFC leaves then and
    // arrives a DLLP (1.018 ns) and the latency later, at 112.018 ns: the next event
    // is at 113 ns.
    double rate = 63015384615.4 * (1 - 1.0 / 375);
    double deliveredPs = std::ceil((WirePs(84, rate) + 50e3) / 1000) * 1000;
    double creditPs = deliveredPs + std::round(WirePs(8, rate)) + 50e3;
    ASSERT_EQ(tx.at.size(), 3u);
    EXPECT_EQ(tx.at[2], NanoSeconds(int64_t(std::ceil(creditPs / 1000))));
    EXPECT_EQ(tx.at[2], NanoSeconds(113));
    // The device takes write 1 when it is done with write 0, and write 2 after that.
    Simulator::Schedule(Time(0), &PciePort::ReturnCredits, p.down->Port(), 1);
    Simulator::Schedule(MicroSeconds(5), &PciePort::ReturnCredits, p.down->Port(), 1);
    Simulator::Run();
    ASSERT_EQ(p.down->received.size(), 3u);
    EXPECT_EQ(p.down->received[1].at, MicroSeconds(5));
    EXPECT_EQ(p.down->received[2].at, MicroSeconds(10));
    EXPECT_EQ(Order(*p.down), (std::vector<std::string>{"MWr:0", "MWr:1", "MWr:2"}));
}

TEST(PcieLink, PostedWritePassesAReadBlockedForCredits)
{
    // One NPH credit; the device holds one TLP and does not return it: MRd 1 waits in
    // the receive buffer with the only NPH credit, MRd 2 waits for credits at the
    // transmitter, and MWr 3, sent after it, passes it.
    Pair p(3, 8, PortWithCredits(8, 1));
    p.down->Port()->SetReceiveCredits(1);
    p.up->Send(Write(0), std::vector<uint8_t>(64, 0));
    p.up->Send(TlpHeader::MakeMemRead(0x2000, 64, 0x10, 1));
    p.up->Send(TlpHeader::MakeMemRead(0x2000, 64, 0x10, 2));
    p.up->Send(Write(3), std::vector<uint8_t>(64, 0));
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::NON_POSTED), 1u);
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::POSTED), 0u); // it went at once
    ReturnEvery10Us(p.down->Port(), 4);
    Simulator::Run();
    EXPECT_EQ(Order(*p.down), (std::vector<std::string>{"MWr:0", "MRd:1", "MWr:3", "MRd:2"}));
}

TEST(PcieLink, ReadAndCompletionNeverPassAnEarlierPostedWrite)
{
    // One PH credit: write 1 waits for it at the transmitter (write 0 holds it until
    // the device takes write 0), write 2 too. A read and a completion sent after them
    // have credits but must wait for write 2; a completion with Relaxed Ordering may
    // pass the writes.
    Pair p(3, 8, PortWithCredits(1, 8));
    p.down->Port()->SetReceiveCredits(1);
    TxOrder tx(p.up->Port());
    p.up->Send(Write(0), std::vector<uint8_t>(64, 0));
    p.up->Send(Write(1), std::vector<uint8_t>(64, 0));
    p.up->Send(Write(2), std::vector<uint8_t>(64, 0));
    TlpHeader relaxed = TlpHeader::MakeCompletion(TlpHeader::SC, 0x10, 0x30, 5, 4, 0, 1);
    relaxed.SetAttributes(0x2);
    p.up->Send(relaxed, {5, 6, 7, 8});
    p.up->Send(TlpHeader::MakeMemRead(0x2000, 64, 0x10, 3));
    p.up->Send(TlpHeader::MakeCompletion(TlpHeader::SC, 0x10, 0x30, 4, 4, 0, 1), {1, 2, 3, 4});
    EXPECT_EQ(tx.sent, (std::vector<std::string>{"MWr:0", "CplD:5"}));
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::NON_POSTED), 1u);
    EXPECT_EQ(p.up->Port()->GetQueued(PciePort::COMPLETION), 1u);
    ReturnEvery10Us(p.down->Port(), 6);
    Simulator::Run();
    // The read and the completion leave after write 2, in the order they were sent.
    const std::vector<std::string> order{"MWr:0", "CplD:5", "MWr:1", "MWr:2", "MRd:3", "CplD:4"};
    EXPECT_EQ(tx.sent, order);
    EXPECT_EQ(Order(*p.down), order);
    ASSERT_EQ(tx.at.size(), 6u);
    EXPECT_EQ(tx.at[4], tx.at[3]); // the read leaves with the write it waited for
}

TEST(PcieLink, IdBasedOrderingPassesOtherRequestersOnly)
{
    // With IDO a read may pass a posted write of another requester, not one of its own.
    Pair p(3, 8, PortWithCredits(1, 8));
    p.down->Port()->SetReceiveCredits(1);
    p.up->Send(Write(0, 0, 0x10), std::vector<uint8_t>(64, 0));
    p.up->Send(Write(1, 0, 0x10), std::vector<uint8_t>(64, 0));
    p.up->Send(Write(2, 0, 0x10), std::vector<uint8_t>(64, 0)); // waits for PH
    TlpHeader other = TlpHeader::MakeMemRead(0x2000, 64, 0x20, 3);
    other.SetAttributes(0x4);
    TlpHeader same = TlpHeader::MakeMemRead(0x2000, 64, 0x10, 4);
    same.SetAttributes(0x4);
    p.up->Send(same);
    p.up->Send(other);
    ReturnEvery10Us(p.down->Port(), 5);
    Simulator::Run();
    // MRd 4 (same requester) waits for MWr 2 and holds MRd 3 behind it in its queue:
    // requests of one class leave in order.
    EXPECT_EQ(Order(*p.down),
              (std::vector<std::string>{"MWr:0", "MWr:1", "MWr:2", "MRd:4", "MRd:3"}));
    Pair q(3, 8, PortWithCredits(1, 8));
    q.down->Port()->SetReceiveCredits(1);
    q.up->Send(Write(0, 0, 0x10), std::vector<uint8_t>(64, 0));
    q.up->Send(Write(1, 0, 0x10), std::vector<uint8_t>(64, 0));
    q.up->Send(Write(2, 0, 0x10), std::vector<uint8_t>(64, 0));
    q.up->Send(other);
    ReturnEvery10Us(q.down->Port(), 4);
    Simulator::Run();
    EXPECT_EQ(Order(*q.down), (std::vector<std::string>{"MWr:0", "MRd:3", "MWr:1", "MWr:2"}));
}

TEST(PcieLink, FullQueueRefusesAndCallsReady)
{
    // A transmit queue of one TLP per class: with no posted credit left, the second
    // waiting write is refused until the first leaves; reads are still taken.
    Ptr<PciePort> down = PortWithCredits(1, 8);
    Pair p(3, 8, down);
    p.up->Port()->SetAttribute("QueueSize", UintegerValue(1));
    p.down->Port()->SetReceiveCredits(1);
    EXPECT_TRUE(p.up->Send(Write(0), std::vector<uint8_t>(64, 0)));
    EXPECT_TRUE(p.up->Send(Write(1), std::vector<uint8_t>(64, 0))); // waits for credits
    EXPECT_FALSE(p.up->Send(Write(2), std::vector<uint8_t>(64, 0)));
    EXPECT_FALSE(p.up->Port()->CanSend(PciePort::POSTED));
    EXPECT_TRUE(p.up->Port()->CanSend(PciePort::NON_POSTED));
    EXPECT_TRUE(p.up->Send(TlpHeader::MakeMemRead(0x2000, 64, 0x10, 1)));
    // Write 0 leaves the receive buffer for the device: write 1 takes its credit.
    Simulator::Run();
    EXPECT_EQ(p.up->readyCalls, 1u);
    EXPECT_TRUE(p.up->Port()->CanSend(PciePort::POSTED));
}

TEST(PcieLink, MalformedTlpsAreDroppedAndCounted)
{
    Pair p;
    std::vector<uint8_t> reasons;

    struct Drops
    {
        std::vector<uint8_t>* reasons;

        void Add(Ptr<const Packet>, uint8_t reason)
        {
            reasons->push_back(reason);
        }
    } drops{&reasons};

    p.up->Port()->TraceConnectWithoutContext("Drop", MakeCallback(&Drops::Add, &drops));
    // Garbage, a reserved type, a write whose data is shorter than Length, and a read
    // of 2 DW with First DW BE 0000b.
    EXPECT_TRUE(p.up->SendBytes(Hex("ff")));
    EXPECT_TRUE(p.up->SendBytes(Hex("03000001 00000000 00000000")));
    EXPECT_TRUE(p.up->SendBytes(Hex("40000002 0010000f 00000000 01020304")));
    EXPECT_TRUE(p.up->SendBytes(Hex("00000002 0010000f 00000100")));
    Simulator::Run();
    EXPECT_TRUE(p.down->received.empty());
    EXPECT_EQ(reasons, std::vector<uint8_t>(4, PciePort::DROP_MALFORMED));
}

/// A link that counts how often it is disposed.
class CountingLink : public PcieLink
{
  public:
    static uint32_t s_disposals; //!< DoDispose calls

  protected:
    void DoDispose() override
    {
        ++s_disposals;
        PcieLink::DoDispose();
    }
};

uint32_t CountingLink::s_disposals = 0;

TEST(PcieLink, DisposingOneEndDisposesTheLinkOnce)
{
    // The far end is held by the link alone: releasing it deletes it, and deleting an
    // object disposes it, from inside the link's own disposal. (ns-3's debug builds
    // stop on an object disposed twice; its optimized builds do not check.)
    SimulatorGuard guard;
    Ptr<CountingLink> link = CreateObject<CountingLink>();
    Ptr<PciePort> near = CreateObject<PciePort>();
    link->Attach(near, CreateObject<PciePort>());
    CountingLink::s_disposals = 0;
    near->Dispose();
    EXPECT_EQ(CountingLink::s_disposals, 1U);
    EXPECT_EQ(near->GetLink(), nullptr);
}

TEST(PcieLinkDeathTest, BadConfiguration)
{
    EXPECT_DEATH(CreateObject<PcieLink>()->SetAttribute("Generation", UintegerValue(6)),
                 "attribute Generation=6 must be 1..5");
    EXPECT_DEATH(CreateObject<PcieLink>()->SetAttribute("Width", UintegerValue(3)),
                 "attribute Width=3 must be 1, 2, 4, 8 or 16");
    EXPECT_DEATH(CreateObject<PcieLink>()->SetAttribute("MaxPayloadSize", UintegerValue(100)),
                 "attribute MaxPayloadSize=100");
    EXPECT_DEATH(
        {
            Ptr<PciePort> down = CreateObject<PciePort>();
            down->SetAttribute("PostedDataCredits", UintegerValue(0));
            CreateObject<PcieLink>()->Attach(CreateObject<PciePort>(), down);
        },
        "header and data credits of a class must both be finite or both infinite");
}
