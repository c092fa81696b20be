/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The full-duplex Ethernet link: serialization of every size class against the
 * formula, to the picosecond; line rates against Ethernet's published figures and
 * against ns-3's own point-to-point device; both directions at once; frame bytes;
 * MTU refusal; the receive error model; link down and up; bridging with learning
 * and flooding; ARP and IPv4 across a switch and a router; the topology helper's
 * respect for attribute defaults.
 */

#include "tlp-test-util.h"

#include "ns3/boolean.h"
#include "ns3/bridge-helper.h"
#include "ns3/config.h"
#include "ns3/csma-channel.h"
#include "ns3/csma-net-device.h"
#include "ns3/error-model.h"
#include "ns3/full-duplex-ethernet-channel.h"
#include "ns3/full-duplex-ethernet-helper.h"
#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/inet-socket-address.h"
#include "ns3/internet-stack-helper.h"
#include "ns3/ipv4-address-helper.h"
#include "ns3/ipv4.h"
#include "ns3/node-container.h"
#include "ns3/pcap-file.h"
#include "ns3/point-to-point-channel.h"
#include "ns3/point-to-point-helper.h"
#include "ns3/point-to-point-net-device.h"
#include "ns3/pointer.h"
#include "ns3/queue.h"
#include "ns3/string.h"
#include "ns3/tlp-topology-helper.h"
#include "ns3/udp-socket-factory.h"
#include "ns3/uinteger.h"

#include <boost/crc.hpp>
#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <map>

using namespace ns3;
using namespace ns3::tlptest;

namespace
{

const uint16_t TYPE = 0x88B5; //!< the tunnel's EtherType, any would do

/// Restores every attribute default when a test leaves scope.
struct DefaultsGuard
{
    ~DefaultsGuard()
    {
        Config::Reset();
    }
};

/// What one end of a link saw.
struct End
{
    Ptr<FullDuplexEthernetNetDevice> device;
    std::vector<Time> rxEnd;                   //!< PhyRxEnd times
    std::vector<std::vector<uint8_t>> payload; //!< payloads passed up, in order
    std::vector<uint16_t> protocol;            //!< their EtherTypes
    uint32_t linkChanges = 0;                  //!< link-change callbacks
    uint32_t macTxDrops = 0;                   //!< MacTxDrop
    uint32_t phyRxDrops = 0;                   //!< PhyRxDrop
    uint32_t macRxDrops = 0;                   //!< MacRxDrop

    void RxEnd(Ptr<const Packet>)
    {
        rxEnd.push_back(Simulator::Now());
    }

    void Up(Ptr<NetDevice>,
            Ptr<const Packet> p,
            uint16_t type,
            const Address&,
            const Address&,
            NetDevice::PacketType)
    {
        payload.push_back(Bytes(p));
        protocol.push_back(type);
    }

    void LinkChange()
    {
        linkChanges++;
    }

    void MacTxDrop(Ptr<const Packet>)
    {
        macTxDrops++;
    }

    void PhyRxDrop(Ptr<const Packet>)
    {
        phyRxDrops++;
    }

    void MacRxDrop(Ptr<const Packet>)
    {
        macRxDrops++;
    }

    /// Record what this end sees.
    void Watch(Ptr<NetDevice> d)
    {
        device = DynamicCast<FullDuplexEthernetNetDevice>(d);
        device->TraceConnectWithoutContext("PhyRxEnd", MakeCallback(&End::RxEnd, this));
        device->TraceConnectWithoutContext("MacTxDrop", MakeCallback(&End::MacTxDrop, this));
        device->TraceConnectWithoutContext("PhyRxDrop", MakeCallback(&End::PhyRxDrop, this));
        device->TraceConnectWithoutContext("MacRxDrop", MakeCallback(&End::MacRxDrop, this));
        device->AddLinkChangeCallback(MakeCallback(&End::LinkChange, this));
        device->GetNode()->RegisterProtocolHandler(MakeCallback(&End::Up, this), 0, device, false);
    }
};

/// Two nodes on one full-duplex link.
struct Link
{
    explicit Link(const std::string& rate = "10Gbps", const std::string& delay = "100ns")
    {
        nodes.Create(2);
        FullDuplexEthernetHelper helper;
        helper.SetDeviceAttribute("DataRate", StringValue(rate));
        helper.SetChannelAttribute("Delay", StringValue(delay));
        helper.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("100000p"));
        devices = helper.Install(nodes);
        a.Watch(devices.Get(0));
        b.Watch(devices.Get(1));
    }

    /// Send `count` frames of `size` payload bytes from a to b, now.
    void Send(uint32_t count, uint32_t size, uint16_t type = TYPE)
    {
        for (uint32_t i = 0; i < count; ++i)
        {
            std::vector<uint8_t> data(size, static_cast<uint8_t>(i));
            a.device->Send(Create<Packet>(data.data(), data.size()), b.device->GetAddress(), type);
        }
    }

    Ptr<FullDuplexEthernetChannel> Channel() const
    {
        return DynamicCast<FullDuplexEthernetChannel>(a.device->GetChannel());
    }

    SimulatorGuard guard;
    NodeContainer nodes;
    NetDeviceContainer devices;
    End a;
    End b;
};

/// Send a frame of 100 bytes of value `tag`.
void
SendTagged(Ptr<NetDevice> from, Address to, uint8_t tag)
{
    std::vector<uint8_t> data(100, tag);
    from->Send(Create<Packet>(data.data(), data.size()), to, TYPE);
}

/// Check the link is down on both ends and try to send.
void
SendWhileDown(Link* link, bool* accepted)
{
    EXPECT_FALSE(link->a.device->IsLinkUp());
    EXPECT_FALSE(link->b.device->IsLinkUp());
    *accepted = link->a.device->Send(Create<Packet>(100), link->b.device->GetAddress(), TYPE);
}

/// Counts ARP frames put on the line.
struct ArpCounter
{
    uint32_t frames = 0;

    void Tx(Ptr<const Packet> frame)
    {
        uint8_t header[14];
        frame->CopyData(header, 14);
        frames += (header[12] << 8 | header[13]) == 0x0806;
    }
};

/// Records the sizes of the datagrams a socket receives.
struct Sink
{
    std::vector<uint32_t> sizes;

    void Rx(Ptr<Socket> socket)
    {
        Ptr<Packet> p;
        while ((p = socket->Recv()))
        {
            sizes.push_back(p->GetSize());
        }
    }
};

/// Send one datagram.
void
SendDatagram(Ptr<Socket> socket, uint32_t size, Ipv4Address to)
{
    socket->SendTo(Create<Packet>(size), 0, InetSocketAddress(to, 9));
}

/// An exact time in picoseconds rounded up to the simulator's nanoseconds.
Time
RoundUp(int64_t ps)
{
    return NanoSeconds((ps + 999) / 1000);
}

} // namespace

TEST(FullDuplexEthernet, FrameSizesOfEverySizeClass)
{
    // Header 14, payload padded to 46, FCS 4; preamble and SFD 8, gap 12 on the line.
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(0), 64u);
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(1), 64u);
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(46), 64u);
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(47), 65u);
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(1500), 1518u);
    EXPECT_EQ(FullDuplexEthernetNetDevice::GetFrameSize(1504), 1522u); // 802.1Q-tagged
    Link link;
    EXPECT_EQ(link.a.device->GetWireSize(46), 84u);
    EXPECT_EQ(link.a.device->GetWireSize(1500), 1538u);
    EXPECT_EQ(link.a.device->GetWireSize(9000), 9038u);
}

TEST(FullDuplexEthernet, SerializationMatchesTheFormulaToThePicosecond)
{
    // One frame of each size class alone, then a burst of each back to back: the
    // k-th last bit arrives at k (8 + F + 12) + (8 + F) byte times plus the delay,
    // F = 14 + max(46, payload) + 4. 7 Gb/s makes byte times of 1142.857 ps, so
    // the times are exact picoseconds (rounded per frame) that events round up.
    for (const char* rate : {"10Gbps", "7Gbps", "100Gbps"})
    {
        for (uint32_t payload : {0u, 1u, 2u, 3u, 45u, 46u, 47u, 64u, 1500u})
        {
            Link link(rate);
            uint32_t burst = 5;
            Simulator::Schedule(MicroSeconds(1), &Link::Send, &link, 1, payload, TYPE);
            Simulator::Schedule(MicroSeconds(10), &Link::Send, &link, burst, payload, TYPE);
            Simulator::Run();
            ASSERT_EQ(link.b.rxEnd.size(), burst + 1) << rate << " " << payload;
            double bitPs = 1e12 / DataRate(rate).GetBitRate();
            uint32_t frame = 14 + std::max(payload, 46u) + 4;
            auto ps = [&](uint32_t bytes) { return int64_t(bytes * 8 * bitPs + 0.5); };
            EXPECT_EQ(link.b.rxEnd[0], RoundUp(1000000 + ps(8 + frame) + 100000))
                << rate << " " << payload;
            for (uint32_t k = 0; k < burst; ++k)
            {
                int64_t last = 10000000 + k * (ps(8 + frame) + ps(12)) + ps(8 + frame);
                EXPECT_EQ(link.b.rxEnd[1 + k], RoundUp(last + 100000))
                    << rate << " payload " << payload << " frame " << k;
            }
            EXPECT_EQ(link.b.device->GetStatistics().rxFrames, burst + 1);
            EXPECT_EQ(link.a.device->GetFrameTime(payload).GetNanoSeconds(),
                      PicoSeconds(ps(8 + frame)).GetNanoSeconds());
        }
    }
}

TEST(FullDuplexEthernet, LineRateMatchesPublishedFigures)
{
    // Minimum frames at 10 Gb/s: 10e9 / (84 * 8) = 14,880,952 frames/s; at 100 Gb/s
    // 148,809,524 (IEEE 802.3 rates, the figures switch vendors quote). Largest
    // standard frames give a goodput of rate * 1500 / 1538 (9.7529 Gb/s at 10 Gb/s).
    struct Case
    {
        const char* rate;
        uint32_t payload;
        double framesPerSecond;
    };

    for (const Case& c : {Case{"10Gbps", 46, 14880952.4},
                          Case{"100Gbps", 46, 148809523.8},
                          Case{"10Gbps", 1500, 10e9 / 8 / 1538},
                          Case{"25Gbps", 256, 25e9 / 8 / (256 + 38)}})
    {
        Link link(c.rate);
        uint32_t n = 20000;
        link.Send(n, c.payload);
        Simulator::Run();
        ASSERT_EQ(link.b.rxEnd.size(), n);
        double span = (link.b.rxEnd.back() - link.b.rxEnd.front()).GetSeconds();
        double fps = (n - 1) / span;
        EXPECT_NEAR(fps, c.framesPerSecond, c.framesPerSecond * 1e-5) << c.rate << " " << c.payload;
        double goodput = fps * c.payload * 8;
        double published = DataRate(c.rate).GetBitRate() * double(c.payload) / (c.payload + 38);
        EXPECT_NEAR(goodput, published, published * 1e-5);
    }
}

TEST(FullDuplexEthernet, SameTimesAsPlainNs3PointToPointWithEthernetFraming)
{
    // ns-3's point-to-point device, sending IPv4 packets of payload + 24 bytes (PPP
    // adds 2: preamble 8 + header 14 + FCS 4 in all) with an inter-frame gap of 12
    // byte times, must deliver at the same instants. At 1 Gb/s every byte time is a
    // whole 8 ns, so neither model rounds.
    for (uint32_t payload : {46u, 100u, 1500u})
    {
        std::vector<Time> p2pTimes;
        {
            SimulatorGuard guard;
            NodeContainer nodes;
            nodes.Create(2);
            PointToPointHelper p2p;
            p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
            p2p.SetDeviceAttribute("InterframeGap", TimeValue(NanoSeconds(96)));
            p2p.SetChannelAttribute("Delay", StringValue("100ns"));
            p2p.SetQueue("ns3::DropTailQueue", "MaxSize", StringValue("1000p"));
            NetDeviceContainer devices = p2p.Install(nodes);
            End rx;
            devices.Get(1)->TraceConnectWithoutContext("PhyRxEnd", MakeCallback(&End::RxEnd, &rx));
            for (int i = 0; i < 100; ++i)
            {
                devices.Get(0)->Send(Create<Packet>(payload + 24),
                                     devices.Get(1)->GetAddress(),
                                     0x0800);
            }
            Simulator::Run();
            p2pTimes = rx.rxEnd;
        }
        Link link("1Gbps");
        link.Send(100, payload);
        Simulator::Run();
        EXPECT_EQ(link.b.rxEnd, p2pTimes) << payload;
        EXPECT_EQ(p2pTimes.size(), 100u);
    }
}

TEST(FullDuplexEthernet, BothDirectionsAtOnceAtLineRate)
{
    // Each direction carries its own stream at line rate: the times are those of one
    // direction alone, on both ends.
    std::vector<Time> alone;
    {
        Link link;
        link.Send(1000, 1500);
        Simulator::Run();
        alone = link.b.rxEnd;
    }
    Link link;
    link.Send(1000, 1500);
    for (uint32_t i = 0; i < 1000; ++i)
    {
        link.b.device->Send(Create<Packet>(1500), link.a.device->GetAddress(), TYPE);
    }
    Simulator::Run();
    EXPECT_EQ(link.b.rxEnd, alone);
    EXPECT_EQ(link.a.rxEnd, alone);
    EXPECT_EQ(link.a.payload.size(), 1000u);
    EXPECT_EQ(link.b.payload.size(), 1000u);
    EXPECT_EQ(alone.size(), 1000u);
    // 1000 frames of 1538 bytes at 10 Gb/s, the last without its gap, plus delay.
    EXPECT_EQ(alone.back(), RoundUp(999 * 1538 * 800 + 1526 * 800 + 100000));
}

TEST(FullDuplexEthernet, FramesOnTheWireAndInPcap)
{
    // Destination, source, EtherType, payload padded with zeros, FCS (CRC-32 of the
    // rest, little-endian, computed here with Boost when checksums are enabled).
    DefaultsGuard defaults;
    std::string name = "/tmp/tlp-tunnel-test-fd.pcap";
    for (bool checksums : {false, true})
    {
        Config::SetGlobal("ChecksumEnabled", BooleanValue(checksums));
        {
            Link link;
            // Fixed addresses: ns-3 before 3.36 does not restart Mac48Address::Allocate()
            // with each simulation.
            link.a.device->SetAddress(Mac48Address("00:00:00:00:00:01"));
            link.b.device->SetAddress(Mac48Address("00:00:00:00:00:02"));
            FullDuplexEthernetHelper().EnablePcap(name, link.devices.Get(0), false, true);
            std::vector<uint8_t> data = {1, 2, 3};
            link.a.device->Send(Create<Packet>(data.data(), data.size()),
                                link.b.device->GetAddress(),
                                0x0806);
            link.a.device->Send(Create<Packet>(1500), link.b.device->GetAddress(), 0x0800);
            Simulator::Run();
            ASSERT_EQ(link.b.payload.size(), 2u);
            // Padding stays in the payload, as on CSMA devices: upper layers know
            // their lengths.
            std::vector<uint8_t> padded(46, 0);
            padded[0] = 1;
            padded[1] = 2;
            padded[2] = 3;
            EXPECT_EQ(link.b.payload[0], padded);
            EXPECT_EQ(link.b.protocol[0], 0x0806);
            EXPECT_EQ(link.b.protocol[1], 0x0800);
            EXPECT_EQ(link.b.device->GetStatistics().rxDropFcs, 0u);
        }
        PcapFile file;
        file.Open(name, std::ios::in);
        ASSERT_FALSE(file.Fail());
        EXPECT_EQ(file.GetDataLinkType(), 1u); // DLT_EN10MB
        uint8_t buffer[2000];
        uint32_t sec;
        uint32_t usec;
        uint32_t inclLen;
        uint32_t origLen;
        uint32_t readLen;
        file.Read(buffer, sizeof(buffer), sec, usec, inclLen, origLen, readLen);
        ASSERT_EQ(readLen, 64u);
        std::vector<uint8_t> frame(buffer, buffer + readLen);
        EXPECT_EQ(ToHex(std::vector<uint8_t>(frame.begin(), frame.begin() + 20)),
                  "00000000 00020000 00000001 08060102 03000000");
        boost::crc_32_type crc;
        crc.process_bytes(buffer, 60);
        uint32_t fcs = checksums ? crc.checksum() : 0;
        EXPECT_EQ(frame[60] | frame[61] << 8 | frame[62] << 16 | uint32_t(frame[63]) << 24, fcs);
        file.Read(buffer, sizeof(buffer), sec, usec, inclLen, origLen, readLen);
        EXPECT_EQ(readLen, 1518u);
        file.Close();
        std::remove(name.c_str());
    }
}

/// Counts the calls of one trace source.
struct Count
{
    uint32_t n = 0;

    void Packet(Ptr<const ns3::Packet>)
    {
        ++n;
    }
};

TEST(FullDuplexEthernet, TraceSourcesAndAsciiTrace)
{
    // Three frames from a to b, one refused (too large) and one for a host that is
    // not b (b's address filter drops it): every trace source of the point-to-point
    // device counts what it should.
    std::string name = "/tmp/tlp-tunnel-test-fd.tr";
    std::map<std::string, Count> a;
    std::map<std::string, Count> b;
    {
        Link link;
        const char* sources[] = {"MacTx",
                                 "MacTxDrop",
                                 "MacPromiscRx",
                                 "MacRx",
                                 "MacRxDrop",
                                 "PhyTxBegin",
                                 "PhyTxEnd",
                                 "PhyRxEnd",
                                 "PhyRxDrop",
                                 "Sniffer",
                                 "PromiscSniffer"};
        for (const char* source : sources)
        {
            ASSERT_TRUE(
                link.a.device->TraceConnectWithoutContext(source,
                                                          MakeCallback(&Count::Packet, &a[source])))
                << source;
            ASSERT_TRUE(
                link.b.device->TraceConnectWithoutContext(source,
                                                          MakeCallback(&Count::Packet, &b[source])))
                << source;
        }
        FullDuplexEthernetHelper().EnableAscii(name, link.devices.Get(1), true);
        link.Send(3, 100);
        link.a.device->Send(Create<Packet>(2000), link.b.device->GetAddress(), TYPE);
        link.a.device->Send(Create<Packet>(100), Mac48Address("02:00:00:00:00:99"), TYPE);
        link.b.device->Send(Create<Packet>(100), link.a.device->GetAddress(), TYPE);
        Simulator::Run();
    }
    EXPECT_EQ(a["MacTx"].n, 4u);
    EXPECT_EQ(a["MacTxDrop"].n, 1u);
    EXPECT_EQ(a["PhyTxBegin"].n, 4u);
    EXPECT_EQ(a["PhyTxEnd"].n, 4u);
    EXPECT_EQ(b["PhyRxEnd"].n, 4u);
    EXPECT_EQ(b["MacRx"].n, 3u);
    EXPECT_EQ(b["MacRxDrop"].n, 1u);
    EXPECT_EQ(b["MacPromiscRx"].n, 0u); // nobody promiscuous
    EXPECT_EQ(b["PhyRxDrop"].n, 0u);
    EXPECT_EQ(b["Sniffer"].n, 3u + 1);        // received for b, and b's own frame
    EXPECT_EQ(b["PromiscSniffer"].n, 4u + 1); // every frame
    EXPECT_EQ(a["MacRx"].n, 1u);
    std::ifstream file(name);
    std::map<char, int> events;
    std::string line;
    while (std::getline(file, line))
    {
        events[line[0]]++;
    }
    EXPECT_EQ(events['+'], 1); // b's frame, queued and sent
    EXPECT_EQ(events['-'], 1);
    EXPECT_EQ(events['r'], 3); // frames passed up
    std::remove(name.c_str());
}

TEST(FullDuplexEthernet, MtuRefusesAndCountsLargerFrames)
{
    Link link;
    Ptr<FullDuplexEthernetNetDevice> a = link.a.device;
    Address to = link.b.device->GetAddress();
    EXPECT_TRUE(a->Send(Create<Packet>(1500), to, TYPE));
    EXPECT_FALSE(a->Send(Create<Packet>(1501), to, TYPE));
    EXPECT_TRUE(a->Send(Create<Packet>(1504), to, 0x8100)); // a tag and 1500 bytes
    EXPECT_FALSE(a->Send(Create<Packet>(1505), to, 0x8100));
    EXPECT_FALSE(a->Send(Create<Packet>(100), to, 0x05DC)); // a length, not a type
    EXPECT_EQ(a->GetStatistics().txDropOversize, 2u);
    EXPECT_EQ(a->GetStatistics().txDropBadType, 1u);
    EXPECT_EQ(link.a.macTxDrops, 3u);
    EXPECT_FALSE(a->SetMtu(45));
    // Jumbo frames on one end only: the other end drops them on reception.
    EXPECT_TRUE(a->SetMtu(9000));
    EXPECT_TRUE(a->Send(Create<Packet>(9000), to, TYPE));
    Simulator::Run();
    EXPECT_EQ(link.b.payload.size(), 2u);
    EXPECT_EQ(link.b.payload[0].size(), 1500u);
    EXPECT_EQ(link.b.payload[1].size(), 1504u);
    EXPECT_EQ(link.b.device->GetStatistics().rxDropOversize, 1u);
    EXPECT_EQ(link.b.phyRxDrops, 1u);
    EXPECT_EQ(a->GetStatistics().txFrames, 3u);
}

TEST(FullDuplexEthernet, ReceiveErrorModelDropsWhatItCorrupts)
{
    Link link;
    Ptr<ReceiveListErrorModel> model = CreateObject<ReceiveListErrorModel>();
    model->SetList({2, 5});
    link.b.device->SetAttribute("ReceiveErrorModel", PointerValue(model));
    link.Send(8, 100);
    Simulator::Run();
    // Frame i carries bytes of value i; frames 2 and 5 (from 0) are lost.
    std::vector<uint8_t> seen;
    for (const auto& p : link.b.payload)
    {
        seen.push_back(p[0]);
    }
    EXPECT_EQ(seen, (std::vector<uint8_t>{0, 1, 3, 4, 6, 7}));
    EXPECT_EQ(link.b.device->GetStatistics().rxDropError, 2u);
    EXPECT_EQ(link.b.phyRxDrops, 2u);
    EXPECT_EQ(link.b.rxEnd.size(), 8u);
}

TEST(FullDuplexEthernet, LinkDownThenUp)
{
    // Five 1500-byte frames at 10 Gb/s: the first's last bit leaves at 1220.8 ns and
    // arrives 100 ns later, the second is on the line. The link goes down at 1300 ns
    // (both are lost on the cable) and up at 5 us: the other three follow.
    Link link;
    link.Send(5, 1500);
    Ptr<FullDuplexEthernetChannel> channel = link.Channel();
    Simulator::Schedule(NanoSeconds(1300), &FullDuplexEthernetChannel::SetLinkUp, channel, false);
    bool sentWhileDown = true;
    Simulator::Schedule(MicroSeconds(3), &SendWhileDown, &link, &sentWhileDown);
    Simulator::Schedule(MicroSeconds(5), &FullDuplexEthernetChannel::SetLinkUp, channel, true);
    Simulator::Run();
    EXPECT_FALSE(sentWhileDown);
    EXPECT_EQ(link.a.device->GetStatistics().txDropLinkDown, 1u);
    EXPECT_EQ(link.b.device->GetStatistics().rxDropLost, 2u);
    EXPECT_EQ(link.b.phyRxDrops, 2u);
    std::vector<uint8_t> seen;
    for (const auto& p : link.b.payload)
    {
        seen.push_back(p[0]);
    }
    EXPECT_EQ(seen, (std::vector<uint8_t>{2, 3, 4}));
    // Frame 2 starts when the link is back: its last bit arrives 1220.8 + 100 ns later.
    ASSERT_EQ(link.b.rxEnd.size(), 3u);
    EXPECT_EQ(link.b.rxEnd[0], RoundUp(5000000 + 1526 * 800 + 100000));
    EXPECT_EQ(link.a.linkChanges, 2u); // down, up
    EXPECT_EQ(link.b.linkChanges, 2u);
    EXPECT_TRUE(link.a.device->IsLinkUp());
}

TEST(FullDuplexEthernet, BridgeLearnsAndFloods)
{
    // Three hosts on a BridgeNetDevice switch of full-duplex ports with a 500 ns
    // forwarding latency. A's first frame to B is flooded (C drops it: not its
    // address); B's reply teaches the switch where B is... and A's next frame to B
    // reaches B alone.
    SimulatorGuard guard;
    NodeContainer hosts;
    hosts.Create(3);
    Ptr<Node> sw = CreateObject<Node>();
    FullDuplexEthernetHelper helper;
    helper.SetDeviceAttribute("DataRate", StringValue("10Gbps"));
    NetDeviceContainer ports;
    End ends[3];
    for (uint32_t i = 0; i < 3; ++i)
    {
        NetDeviceContainer link = helper.Install(hosts.Get(i), sw);
        link.Get(1)->SetAttribute("ReceiveLatency", TimeValue(NanoSeconds(500)));
        ends[i].Watch(link.Get(0));
        ports.Add(link.Get(1));
    }
    BridgeHelper().Install(sw, ports);
    Address a = ends[0].device->GetAddress();
    Address b = ends[1].device->GetAddress();
    Ptr<NetDevice> from[3] = {ends[0].device, ends[1].device, ends[2].device};
    Simulator::Schedule(MicroSeconds(1), &SendTagged, from[0], b, 1);
    Simulator::Schedule(MicroSeconds(10), &SendTagged, from[1], a, 2);
    Simulator::Schedule(MicroSeconds(20), &SendTagged, from[0], b, 3);
    Simulator::Schedule(MicroSeconds(30),
                        &SendTagged,
                        from[2],
                        Address(Mac48Address::GetBroadcast()),
                        4);
    Simulator::Run();
    ASSERT_EQ(ends[1].payload.size(), 3u); // 1, 3 and the broadcast
    EXPECT_EQ(ends[1].payload[0][0], 1);
    EXPECT_EQ(ends[1].payload[1][0], 3);
    EXPECT_EQ(ends[1].payload[2][0], 4);
    ASSERT_EQ(ends[0].payload.size(), 2u); // 2 and the broadcast
    EXPECT_EQ(ends[0].payload[0][0], 2);
    EXPECT_TRUE(ends[2].payload.empty());
    // C saw A's first frame flooded (dropped by its address filter) and nothing else.
    EXPECT_EQ(ends[2].rxEnd.size(), 1u);
    EXPECT_EQ(ends[2].macRxDrops, 1u);
    EXPECT_EQ(ends[2].device->GetStatistics().rxDropFiltered, 1u);
    // B got frame 1 two frame times, two delays and the switch latency after 1 us
    // (each arrival an event rounded up to the nanosecond).
    int64_t frame = (8 + 14 + 100 + 4) * 800;
    Time atSwitch = RoundUp(1000000 + frame + 100000);
    EXPECT_EQ(ends[1].rxEnd[0],
              RoundUp((atSwitch + NanoSeconds(500)).GetPicoSeconds() + frame + 100000));
}

TEST(FullDuplexEthernet, ArpAndIpv4AcrossASwitchAndARouter)
{
    // UDP datagrams with ARP resolving every hop (no static entries): two hosts on a
    // switch in one subnet, then two hosts behind a router.
    for (bool routed : {false, true})
    {
        SimulatorGuard guard;
        NodeContainer hosts;
        hosts.Create(2);
        TlpTopologyHelper topology;
        topology.SetStaticArp(false);
        Ipv4Address to;
        ArpCounter arp;
        if (routed)
        {
            Ipv4InterfaceContainer ifaces = topology.BuildIpStar(hosts);
            to = ifaces.GetAddress(1);
        }
        else
        {
            NetDeviceContainer devices = topology.BuildEthernetStar(hosts);
            InternetStackHelper stack;
            stack.SetIpv6StackInstall(false);
            stack.Install(hosts);
            Ipv4AddressHelper address("10.9.0.0", "255.255.255.0");
            to = address.Assign(devices).GetAddress(1);
        }
        NetDeviceContainer all = topology.GetLinkDevices();
        for (uint32_t i = 0; i < all.GetN(); ++i)
        {
            all.Get(i)->TraceConnectWithoutContext("PhyTxBegin",
                                                   MakeCallback(&ArpCounter::Tx, &arp));
        }
        Ptr<Socket> rx = Socket::CreateSocket(hosts.Get(1), UdpSocketFactory::GetTypeId());
        rx->Bind(InetSocketAddress(Ipv4Address::GetAny(), 9));
        Sink sink;
        rx->SetRecvCallback(MakeCallback(&Sink::Rx, &sink));
        Ptr<Socket> tx = Socket::CreateSocket(hosts.Get(0), UdpSocketFactory::GetTypeId());
        for (uint32_t size : {1u, 2u, 3u})
        {
            Simulator::Schedule(MilliSeconds(1), &SendDatagram, tx, size, to);
        }
        Simulator::Run();
        EXPECT_EQ(sink.sizes, (std::vector<uint32_t>{1, 2, 3})) << (routed ? "router" : "switch");
        // A request and a reply for each hop: through the switch both are forwarded
        // (two transmissions each); through the router each of its links resolves.
        EXPECT_EQ(arp.frames, 4u) << (routed ? "router" : "switch");
        rx->Close();
        tx->Close();
    }
}

TEST(FullDuplexEthernet, TopologyHelperKeepsDefaultsItIsNotTold)
{
    DefaultsGuard defaults;
    SimulatorGuard guard;
    auto firstHostDevice = [](TlpTopologyHelper& topology) {
        NodeContainer hosts;
        hosts.Create(2);
        return topology.BuildEthernetStar(hosts).Get(0);
    };
    auto queueSize = [](Ptr<NetDevice> device) {
        PointerValue queue;
        device->GetAttribute("TxQueue", queue);
        return queue.Get<QueueBase>()->GetMaxSize();
    };
    // The attributes' own defaults: 100 Gb/s, 100 ns, 100 frames per queue.
    {
        TlpTopologyHelper topology;
        Ptr<NetDevice> d = firstHostDevice(topology);
        EXPECT_EQ(DynamicCast<FullDuplexEthernetNetDevice>(d)->GetDataRate(), DataRate("100Gbps"));
        EXPECT_EQ(queueSize(d), QueueSize("100p"));
        EXPECT_EQ(topology.GetDelay(), NanoSeconds(100));
    }
    // Changed defaults (what --ns3::... on the command line does) are honoured...
    Config::SetDefault("ns3::FullDuplexEthernetNetDevice::DataRate", StringValue("10Gbps"));
    Config::SetDefault("ns3::FullDuplexEthernetChannel::Delay", StringValue("1us"));
    Config::SetDefault("ns3::DropTailQueue<Packet>::MaxSize", StringValue("7p"));
    Config::SetDefault("ns3::FullDuplexEthernetNetDevice::Mtu", UintegerValue(9000));
    {
        TlpTopologyHelper topology;
        Ptr<NetDevice> d = firstHostDevice(topology);
        EXPECT_EQ(DynamicCast<FullDuplexEthernetNetDevice>(d)->GetDataRate(), DataRate("10Gbps"));
        EXPECT_EQ(DynamicCast<FullDuplexEthernetChannel>(d->GetChannel())->GetDelay(),
                  MicroSeconds(1));
        EXPECT_EQ(queueSize(d), QueueSize("7p"));
        EXPECT_EQ(d->GetMtu(), 9000);
    }
    // ...unless the helper is told a value.
    {
        TlpTopologyHelper topology;
        topology.SetDataRate(DataRate("25Gbps"));
        topology.SetDelay(NanoSeconds(50));
        topology.SetQueueSize(3);
        topology.SetMtu(1500);
        Ptr<NetDevice> d = firstHostDevice(topology);
        EXPECT_EQ(DynamicCast<FullDuplexEthernetNetDevice>(d)->GetDataRate(), DataRate("25Gbps"));
        EXPECT_EQ(DynamicCast<FullDuplexEthernetChannel>(d->GetChannel())->GetDelay(),
                  NanoSeconds(50));
        EXPECT_EQ(queueSize(d), QueueSize("3p"));
        EXPECT_EQ(d->GetMtu(), 1500);
    }
    // Switch ports get the forwarding latency, host ports none.
    {
        TlpTopologyHelper topology;
        topology.SetSwitchLatency(NanoSeconds(300));
        Ptr<NetDevice> host = firstHostDevice(topology);
        Ptr<NetDevice> port =
            DynamicCast<FullDuplexEthernetChannel>(host->GetChannel())->GetEthernetDevice(1);
        TimeValue latency;
        host->GetAttribute("ReceiveLatency", latency);
        EXPECT_EQ(latency.Get(), Time(0));
        port->GetAttribute("ReceiveLatency", latency);
        EXPECT_EQ(latency.Get(), NanoSeconds(300));
    }
    // CSMA and point-to-point links run at the full-duplex links' rate and delay
    // unless their own defaults were changed; point-to-point links next to a switch
    // take half its latency per switch end.
    {
        TlpTopologyHelper topology;
        topology.SetLinkType("csma");
        Ptr<CsmaChannel> channel =
            DynamicCast<CsmaChannel>(firstHostDevice(topology)->GetChannel());
        EXPECT_EQ(channel->GetDataRate(), DataRate("10Gbps"));
        EXPECT_EQ(channel->GetDelay(), MicroSeconds(1));
        TlpTopologyHelper ip;
        ip.SetLinkType("p2p");
        NodeContainer hosts;
        hosts.Create(2);
        ip.BuildIpStar(hosts);
        TimeValue delay;
        ip.GetLinkDevices().Get(0)->GetChannel()->GetAttribute("Delay", delay);
        EXPECT_EQ(delay.Get(), MicroSeconds(1) + NanoSeconds(250));
    }
    Config::SetDefault("ns3::CsmaChannel::DataRate", StringValue("3Gbps"));
    Config::SetDefault("ns3::PointToPointNetDevice::DataRate", StringValue("2Gbps"));
    {
        TlpTopologyHelper topology;
        topology.SetLinkType("csma");
        Ptr<CsmaChannel> channel =
            DynamicCast<CsmaChannel>(firstHostDevice(topology)->GetChannel());
        EXPECT_EQ(channel->GetDataRate(), DataRate("3Gbps"));
        // A new simulation: ns-3 builds its global routing once per simulation (a
        // second build in one leaks the first's records) and its addresses anew.
        Simulator::Destroy();
        TlpTopologyHelper ip;
        ip.SetLinkType(TlpTopologyHelper::POINT_TO_POINT);
        NodeContainer hosts;
        hosts.Create(2);
        ip.BuildIpStar(hosts);
        Ptr<PointToPointNetDevice> p2p =
            DynamicCast<PointToPointNetDevice>(ip.GetLinkDevices().Get(0));
        DataRateValue rate;
        p2p->GetAttribute("DataRate", rate);
        EXPECT_EQ(rate.Get(), DataRate("2Gbps"));
    }
    // The tests after this one (one process in an ns-3 tree) see ns-3's defaults.
    Config::Reset();
}

TEST(FullDuplexEthernetDeathTest, BadConfiguration)
{
    EXPECT_DEATH(
        {
            SimulatorGuard guard;
            FullDuplexEthernetHelper helper;
            helper.SetDeviceAttribute("DataRate", StringValue("0bps"));
            NodeContainer nodes;
            nodes.Create(2);
            helper.Install(nodes);
        },
        "DataRate=0bps must be positive");
    EXPECT_DEATH(
        {
            SimulatorGuard guard;
            NodeContainer nodes;
            nodes.Create(3);
            FullDuplexEthernetHelper().Install(nodes);
        },
        "a link joins two nodes, not 3");
    EXPECT_DEATH(
        {
            TlpTopologyHelper topology;
            topology.SetLinkType("token-ring");
        },
        "link=token-ring is not 'ethernet', 'csma' or 'p2p'");
    EXPECT_DEATH(
        {
            SimulatorGuard guard;
            NodeContainer hosts;
            hosts.Create(2);
            TlpTopologyHelper topology;
            topology.SetLinkType("p2p");
            topology.BuildEthernetStar(hosts);
        },
        "link=p2p carries IPv4 only");
}
