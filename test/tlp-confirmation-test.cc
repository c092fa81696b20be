/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Write confirmations per window (claims 12-18), on both transports: nobody
 * (posted, as PCIe); the sending NIC, early, its copy kept by reliable delivery
 * (12-13); the receiver's memory, the address translated back to the window at the
 * sending or the receiving NIC (14-16); the receiving NIC, which keeps a copy and
 * places it again when its interconnect loses it (17-18). Every write lands once
 * and, when someone confirms, is confirmed once, with the sender's window address.
 */

#include "tlp-nic-test-util.h"

#include "ns3/boolean.h"
#include "ns3/pointer.h"
#include "ns3/string.h"
#include "ns3/tlp-fault-helper.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/tlp-write-confirmation.h"
#include "ns3/uinteger.h"

#include <gtest/gtest.h>
#include <map>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL;
const uint64_t REGION = 0x0000000040000000ULL;
const uint32_t WRITES = 400; //!< 64-byte writes, one TLP each

/// Node 0 writes through a window with a confirmation mode onto node 1.
struct Confirmed : public ComputeNodes
{
    Confirmed(const std::string& transport,
              TlpWindow::Confirm mode,
              TlpWindow::TranslateAt at,
              const std::string& rate = "5Gbps")
    {
        hosts.Create(2);
        tunnel.SetCpuAttribute("WriteConfirmation", BooleanValue(true));
        tunnel.Install(hosts);
        topology.Connect(hosts, tunnel, transport);
        tunnel.MapWindow(hosts.Get(0), WINDOW, 1 << 20, 1, REGION, at, mode);
        Ptr<TlpCpu> cpu = Cpu(0);
        cpu->SetAttribute("StreamCount", UintegerValue(WRITES));
        cpu->SetAttribute("StreamSize", UintegerValue(64));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(WRITES * 64));
        cpu->SetAttribute("StreamRate", StringValue(rate));
        cpu->SetStartTime(MicroSeconds(5));
        cpu->SetConfirmationCallback(MakeCallback(&Confirmed::Confirmation, this));
        cpu->TraceConnectWithoutContext("Tx", MakeCallback(&Confirmed::Sent, this));
        Memory(1)->TraceConnectWithoutContext("Write", MakeCallback(&Confirmed::Landed, this));
        // What crosses node 0's interconnect towards its CPU, and node 1's network side.
        Nic(0)->TraceConnectWithoutContext("Sniffer", MakeCallback(&Confirmed::Sniffed, this));
        Nic(1)->TraceConnectWithoutContext("MacTx", MakeCallback(&Confirmed::ReceiverTx, this));
    }

    void Sent(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        sent[h.GetFirstByteAddress()] = Simulator::Now();
    }

    void Landed(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        uint64_t window = WINDOW + (h.GetFirstByteAddress() - REGION);
        landed[window]++;
        landedAt[window] = Simulator::Now();
        marked += TlpWriteConfirmation::IsRequested(h);
    }

    void Confirmation(uint64_t address, uint32_t bytes, Time latency)
    {
        confirmed[address]++;
        confirmedAt[address] = Simulator::Now();
        EXPECT_EQ(bytes, 64u);
        EXPECT_EQ(Simulator::Now() - latency, sent[address]);
    }

    void Sniffed(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        uint16_t writer;
        uint64_t address;
        uint32_t bytes;
        if (TlpWriteConfirmation::IsConfirmation(h) &&
            TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes))
        {
            sniffedAddresses.push_back(address); // what node 0's CPU is given
        }
    }

    void ReceiverTx(Ptr<const Packet> packet)
    {
        TunnelHeader th;
        uint32_t size = packet->PeekHeader(th);
        if (th.GetKind() != TunnelHeader::COMPLETION)
        {
            return;
        }
        uint32_t offset = size;
        for (uint16_t i = 0; i < th.GetCount(); ++i)
        {
            Ptr<Packet> tlp = packet->CreateFragment(offset, th.GetTlpLength(i));
            offset += th.GetTlpLength(i);
            TlpHeader h;
            uint16_t writer;
            uint64_t address;
            uint32_t bytes;
            tlp->PeekHeader(h);
            if (TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes))
            {
                wireAddresses.push_back(address); // what travels back
                wireTranslated.push_back(th.GetFlags() & TunnelHeader::FLAG_TRANSLATED);
            }
        }
    }

    /// Every write landed (exactly once unless claim 18 placed it again), with its data.
    void CheckMemory(bool once = true)
    {
        for (uint64_t o = 0; o < WRITES * 64; ++o)
        {
            ASSERT_EQ(Memory(1)->GetStore().ReadByte(REGION + o),
                      TlpCpu::PatternByte(WINDOW + o, 1))
                << o;
        }
        ASSERT_EQ(landed.size(), WRITES);
        for (const auto& l : landed)
        {
            if (once)
            {
                ASSERT_EQ(l.second, 1u) << std::hex << l.first;
            }
        }
    }

    /// Every write confirmed exactly once, with its window address.
    void CheckConfirmedOnce()
    {
        ASSERT_EQ(confirmed.size(), WRITES);
        for (uint64_t k = 0; k < WRITES; ++k)
        {
            ASSERT_EQ(confirmed[WINDOW + k * 64], 1u) << k;
        }
        EXPECT_EQ(Cpu(0)->GetStatistics().confirmations, WRITES);
        EXPECT_EQ(Cpu(0)->GetStatistics().unexpected, 0u);
        ASSERT_EQ(sniffedAddresses.size(), WRITES);
        for (uint64_t a : sniffedAddresses)
        {
            ASSERT_GE(a, WINDOW);
            ASSERT_LT(a, WINDOW + WRITES * 64);
        }
    }

    TlpTunnelHelper tunnel;
    TlpTopologyHelper topology;
    std::map<uint64_t, Time> sent;
    std::map<uint64_t, uint32_t> landed;
    std::map<uint64_t, Time> landedAt;
    std::map<uint64_t, uint32_t> confirmed;
    std::map<uint64_t, Time> confirmedAt;
    std::vector<uint64_t> sniffedAddresses;
    std::vector<uint64_t> wireAddresses;
    std::vector<bool> wireTranslated;
    uint32_t marked = 0;
};

class Confirmation : public ::testing::TestWithParam<std::string>
{
};

} // namespace

TEST_P(Confirmation, NoneKeepsWritesPosted)
{
    Confirmed c(GetParam(), TlpWindow::CONFIRM_NONE, TlpWindow::SENDER);
    Simulator::Run();
    c.CheckMemory();
    EXPECT_TRUE(c.confirmed.empty());
    EXPECT_EQ(c.Cpu(0)->GetStatistics().confirmations, 0u);
    EXPECT_EQ(c.marked, 0u); // the sending NIC withdrew the request: memory never saw it
    EXPECT_EQ(c.Nic(0)->GetStatistics().confirmationsSent, 0u);
}

TEST_P(Confirmation, SendingNicConfirmsEarlyAndKeepsTheCopy)
{
    // Claims 12-13, with 10 % loss: the copy is the retransmission buffer's.
    Confirmed c(GetParam(), TlpWindow::CONFIRM_SENDER_NIC, TlpWindow::SENDER);
    TlpFaultHelper faults;
    faults.SetLossRate(0.10);
    faults.Install(c.hosts);
    Simulator::Run();
    c.CheckMemory();
    c.CheckConfirmedOnce();
    EXPECT_EQ(c.marked, 0u); // nobody else confirms
    EXPECT_GT(c.Nic(0)->GetStatistics().packetsRetransmitted, 0u);
    EXPECT_EQ(c.Nic(0)->GetStatistics().confirmationsSent, WRITES);
    EXPECT_TRUE(c.wireAddresses.empty());
    // Early: confirmed before the write could have crossed the network.
    for (const auto& t : c.confirmedAt)
    {
        ASSERT_LT(t.second, c.landedAt[t.first]);
    }
}

TEST_P(Confirmation, MemoryConfirmsTranslatedBackAtTheSendingNic)
{
    // Claims 14-15: the memory's confirmation carries the region address until node
    // 0's NIC translates it back.
    Confirmed c(GetParam(), TlpWindow::CONFIRM_MEMORY, TlpWindow::SENDER);
    Simulator::Run();
    c.CheckMemory();
    c.CheckConfirmedOnce();
    EXPECT_EQ(c.marked, WRITES); // the memory saw every request
    ASSERT_EQ(c.wireAddresses.size(), WRITES);
    for (size_t i = 0; i < c.wireAddresses.size(); ++i)
    {
        ASSERT_GE(c.wireAddresses[i], REGION);
        ASSERT_LT(c.wireAddresses[i], REGION + WRITES * 64);
        ASSERT_FALSE(c.wireTranslated[i]);
    }
    for (const auto& t : c.confirmedAt)
    {
        ASSERT_GT(t.second, c.landedAt[t.first]); // after the memory stored it
    }
}

TEST_P(Confirmation, MemoryConfirmsTranslatedBackAtTheReceivingNic)
{
    // Claims 14 and 16: node 1's NIC translates the confirmation before sending it.
    Confirmed c(GetParam(), TlpWindow::CONFIRM_MEMORY, TlpWindow::RECEIVER);
    Simulator::Run();
    c.CheckMemory();
    c.CheckConfirmedOnce();
    ASSERT_EQ(c.wireAddresses.size(), WRITES);
    for (size_t i = 0; i < c.wireAddresses.size(); ++i)
    {
        ASSERT_GE(c.wireAddresses[i], WINDOW);
        ASSERT_LT(c.wireAddresses[i], WINDOW + WRITES * 64);
        ASSERT_TRUE(c.wireTranslated[i]);
    }
    for (const auto& t : c.confirmedAt)
    {
        ASSERT_GT(t.second, c.landedAt[t.first]);
    }
}

TEST_P(Confirmation, ReceivingNicConfirmsAndResendsWhatItsInterconnectLoses)
{
    // Claims 17-18: node 1's NIC confirms at once and keeps a copy; a fifth of what it
    // places on its interconnect is lost there, and placed again.
    Confirmed c(GetParam(), TlpWindow::CONFIRM_RECEIVER_NIC, TlpWindow::SENDER);
    TlpFaultHelper::SetInterconnectLoss(c.hosts.Get(1), 0.20, 77);
    Simulator::Run();
    c.CheckMemory(false); // a write placed again after a later one landed lands again
    c.CheckConfirmedOnce();
    const TlpTunnelNetDevice::Statistics& s = c.Nic(1)->GetStatistics();
    EXPECT_EQ(s.confirmationsSent, WRITES);
    EXPECT_GT(s.interconnectLosses, 20u);
    EXPECT_GE(s.interconnectResends, s.interconnectLosses);
    EXPECT_EQ(s.writesLost, 0u);
    ASSERT_EQ(c.wireAddresses.size(), WRITES);
    for (size_t i = 0; i < c.wireAddresses.size(); ++i)
    {
        ASSERT_TRUE(c.wireTranslated[i]);
        ASSERT_GE(c.wireAddresses[i], WINDOW);
    }
    uint32_t before = 0;
    for (const auto& t : c.confirmedAt)
    {
        before += t.second < c.landedAt[t.first];
    }
    EXPECT_GT(before, 0u); // confirmed before node 1's memory had some of them
}

TEST_P(Confirmation, LatenciesFollowWhoConfirms)
{
    Time mean[3];
    TlpWindow::Confirm modes[3] = {TlpWindow::CONFIRM_SENDER_NIC,
                                   TlpWindow::CONFIRM_RECEIVER_NIC,
                                   TlpWindow::CONFIRM_MEMORY};
    for (int m = 0; m < 3; ++m)
    {
        // One write every 2.5 us: the path's latency, not the queues'.
        Confirmed c(GetParam(), modes[m], TlpWindow::SENDER, "200Mbps");
        Time sum;

        struct Sum
        {
            Time* sum;

            void Add(uint64_t, uint32_t, Time latency)
            {
                *sum += latency;
            }
        } s{&sum};

        c.Cpu(0)->TraceConnectWithoutContext("Confirmation", MakeCallback(&Sum::Add, &s));
        Simulator::Run();
        mean[m] = sum / int64_t(WRITES);
        Simulator::Destroy();
    }
    EXPECT_LT(mean[0], mean[1]) << mean[0] << " " << mean[1] << " " << mean[2];
    EXPECT_LT(mean[1], mean[2]);
}

INSTANTIATE_TEST_SUITE_P(Transports,
                         Confirmation,
                         ::testing::Values(std::string("ethernet"), std::string("udp")));

TEST(ConfirmationDeathTest, SendingNicNeedsReliableDelivery)
{
    EXPECT_DEATH(
        {
            NodeContainer hosts;
            hosts.Create(2);
            TlpTunnelHelper tunnel;
            tunnel.SetNicAttribute("Reliable", BooleanValue(false));
            tunnel.Install(hosts);
            TlpTopologyHelper topology;
            topology.Connect(hosts, tunnel, "udp");
            tunnel.MapWindow(hosts.Get(0),
                             WINDOW,
                             0x1000,
                             1,
                             REGION,
                             TlpWindow::SENDER,
                             TlpWindow::CONFIRM_SENDER_NIC);
        },
        "confirms writes at the sending NIC, which needs the copy and timer of reliable "
        "delivery: attribute Reliable=false");
}
