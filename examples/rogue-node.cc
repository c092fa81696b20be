/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Rogue node: nodes 0 and 1 write to each other through windows the other granted,
 * and node 0 reads back, while node 2 attacks them. Every attack is one forged
 * packet: a spoofed source field (a write, a read, a GRANT, a refusal, a
 * completion, a replay), a GRANT that answers nobody's nonce, a completion for a
 * request that went elsewhere, writes outside the region it was granted itself,
 * and, from a tap on node 0's link (node 0's own link-level address), a replay and
 * key guesses. Each attack must be refused by the NIC it targets, counted and
 * traced with its reason; the honest traffic must complete and leave both
 * memories exactly as it wrote them. Prints "attacks: N refused: N" and
 * "memory-image: match"; exits 1 otherwise.
 *
 *   ./tlp-tunnel.sh run rogue-node --transport=udp --writes=200 --size=64 --pcap=true
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("RogueNodeExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< the windows' base on nodes 0, 1 and 2
const uint64_t REGION = 0x0000000040000000ULL; //!< node 0's region at node 1, node 1's at node 0
const uint64_t WRITE_GAP_NS = 4000; //!< between honest writes: 256 B in 4 us stays below 1 Gb/s

/// One forged packet, the node it targets and what the NIC made of it.
struct Attack
{
    std::string name;                            //!< what it tries
    uint32_t victim;                             //!< the NIC it targets
    std::vector<std::vector<uint8_t>> signature; //!< its packet's bytes and its TLPs'
    uint8_t expected;                            //!< the drop reason that refuses it
    bool refused = false;                        //!< a drop of the victim matched it
    uint8_t reason = 0;                          //!< the drop's reason
};

NodeContainer g_hosts;
uint32_t g_sequence = 0; //!< next sequence number of unsequenced packets forged as node 0
std::vector<Attack> g_attacks;
uint64_t g_unmatchedDrops = 0; //!< drops at honest NICs that no attack explains
Ptr<Packet> g_recorded;        //!< node 0's first DATA packet, as node 1 received it
bool g_grantForged = false;
bool g_completionForged = false;
std::vector<TlpCpu::Result> g_results;

Ptr<TlpTunnelNetDevice>
Nic(uint32_t i)
{
    return TlpTunnelHelper::GetNic(g_hosts.Get(i));
}

std::vector<uint8_t>
Bytes(Ptr<const Packet> p)
{
    std::vector<uint8_t> b(p->GetSize());
    p->CopyData(b.data(), b.size());
    return b;
}

std::string
Hex32(uint32_t value)
{
    std::ostringstream os;
    os << "0x" << std::hex << value;
    return os.str();
}

std::vector<uint8_t>
TlpBytes(const TlpHeader& h, const std::vector<uint8_t>& data = {})
{
    Ptr<Packet> p = Create<Packet>(data.data(), data.size());
    p->AddHeader(h);
    return Bytes(p);
}

/// A tunnel packet with TLPs (packed as the NIC packs them) or a body.
Ptr<Packet>
Tunnel(TunnelHeader::Kind kind,
       uint32_t source,
       uint32_t seq,
       const std::vector<std::vector<uint8_t>>& tlps,
       uint16_t window = 0,
       uint32_t key = 0,
       Ptr<Packet> body = nullptr)
{
    TunnelHeader th;
    th.SetKind(kind);
    th.SetFlags(kind == TunnelHeader::DATA ? TunnelHeader::FLAG_TRANSLATED : 0);
    th.SetSource(source);
    th.SetSequence(seq);
    th.SetWindow(window);
    th.SetKey(key);
    std::vector<Ptr<Packet>> packets;
    for (const auto& t : tlps)
    {
        packets.push_back(Create<Packet>(t.data(), t.size()));
    }
    Ptr<Packet> p = !packets.empty() ? TlpPacker::Pack(th, packets)
                                     : (body != nullptr ? body->Copy() : Create<Packet>());
    p->AddHeader(th);
    return p;
}

/**
 * \brief Send a forged packet from a node's transport and remember it.
 * \param name the attack
 * \param from the transport that sends it (2: the rogue; 0: the tap on node 0's link)
 * \param victim the destination
 * \param expected the drop reason that refuses it
 * \param packet the packet
 * \param tlps its TLPs' bytes
 */
void
Launch(const std::string& name,
       uint32_t from,
       uint32_t victim,
       TlpTunnelNetDevice::DropReason expected,
       Ptr<Packet> packet,
       const std::vector<std::vector<uint8_t>>& tlps = {})
{
    Attack a;
    a.name = name;
    a.victim = victim;
    a.expected = expected;
    a.signature = tlps;
    a.signature.push_back(Bytes(packet));
    g_attacks.push_back(a);
    Nic(from)->GetTransport()->Send(packet, victim);
}

/**
 * \param dropped bytes a NIC dropped (a packet, Ethernet padding included, or a TLP)
 * \param signature an attack's packet or TLP
 * \return true when they are the same bytes
 */
bool
Same(const std::vector<uint8_t>& dropped, const std::vector<uint8_t>& signature)
{
    return dropped.size() >= signature.size() &&
           std::equal(signature.begin(), signature.end(), dropped.begin()) &&
           std::all_of(dropped.begin() + signature.size(), dropped.end(), [](uint8_t b) {
               return b == 0;
           });
}

/// A drop at an honest NIC: the first attack on it with those bytes and that reason.
void
Dropped(uint32_t node, Ptr<const Packet> packet, uint8_t reason)
{
    std::vector<uint8_t> bytes = Bytes(packet);
    for (Attack& a : g_attacks)
    {
        bool same = std::any_of(a.signature.begin(),
                                a.signature.end(),
                                [&bytes](const std::vector<uint8_t>& s) { return Same(bytes, s); });
        if (!a.refused && a.victim == node && a.expected == reason && same)
        {
            a.refused = true;
            a.reason = reason;
            return;
        }
    }
    std::cout << "drop at node " << node
              << " explained by no attack: " << TlpTunnelNetDevice::DropReasonToString(reason)
              << "\n";
    g_unmatchedDrops++;
}

/// Node 0's GRANT_REQUEST leaves: forge answers that race node 1's GRANT.
void
Node0MacTx(Ptr<const Packet> packet)
{
    TunnelHeader th;
    packet->PeekHeader(th);
    if (g_grantForged || th.GetKind() != TunnelHeader::GRANT_REQUEST)
    {
        return;
    }
    g_grantForged = true;
    const TlpWindow* w = Nic(0)->GetWindow(0);
    uint32_t nonce = w->receivers.front().nonce; // the rogue saw the request
    auto body = [w](uint8_t status) {
        TunnelGrantHeader g;
        g.windowBase = w->base;
        g.size = w->size;
        g.regionBase = 0x50000000;
        g.status = status;
        g.key = status == TunnelGrantHeader::GRANTED ? 0x600DF00D : 0;
        Ptr<Packet> p = Create<Packet>();
        p->AddHeader(g);
        return p;
    };
    Launch("forged GRANT posing as node 1",
           2,
           0,
           TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
           Tunnel(TunnelHeader::GRANT, 1, nonce, {}, 0, 0, body(TunnelGrantHeader::GRANTED)));
    Launch("forged refusal posing as node 1",
           2,
           0,
           TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
           Tunnel(TunnelHeader::GRANT, 1, nonce, {}, 0, 0, body(TunnelGrantHeader::NO_ROOM)));
    Launch("GRANT from node 2 with node 0's nonce",
           2,
           0,
           TlpTunnelNetDevice::DROP_UNEXPECTED,
           Tunnel(TunnelHeader::GRANT, 2, nonce, {}, 0, 0, body(TunnelGrantHeader::GRANTED)));
}

/// Node 0's read leaves for node 1: node 2 answers it first.
void
Node0TlpTx(Ptr<const Packet> tlp)
{
    TlpHeader r;
    tlp->PeekHeader(r);
    if (g_completionForged || r.IsPosted())
    {
        return;
    }
    g_completionForged = true;
    std::vector<uint8_t> data(4 * r.GetLengthDw(), 0xBD);
    TlpHeader c = TlpHeader::MakeCompletion(TlpHeader::SC,
                                            0x0100,
                                            r.GetRequesterId(),
                                            r.GetTag(),
                                            static_cast<uint32_t>(data.size()),
                                            static_cast<uint8_t>(r.GetAddress() & 0x7F),
                                            r.GetLengthDw());
    std::vector<uint8_t> cpl = TlpBytes(c, data);
    Launch("completion from node 2 for a read sent to node 1",
           2,
           0,
           TlpTunnelNetDevice::DROP_UNKNOWN_REQUESTER,
           Tunnel(TunnelHeader::COMPLETION, 2, 0, {cpl}),
           {cpl});
    Launch("completion posing as node 1",
           2,
           0,
           TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
           Tunnel(TunnelHeader::COMPLETION, 1, 1, {cpl}),
           {cpl});
}

/// Node 1 receives a packet: keep node 0's first DATA packet for the replays.
void
Node1MacRx(Ptr<const Packet> packet)
{
    TunnelHeader th;
    packet->PeekHeader(th);
    if (g_recorded == nullptr && th.GetKind() == TunnelHeader::DATA && th.GetSource() == 0)
    {
        g_recorded = packet->Copy();
    }
}

/// The attacks after the grants, while the honest writes flow.
void
DataAttacks()
{
    uint32_t key = Nic(1)->GetExportTable().Find(0, 0)->key; // the rogue learned it
    std::vector<uint8_t> write =
        TlpBytes(TlpHeader::MakeMemWrite(REGION + 0x80, 4, 0x0000, 0), {0xBA, 0xD0, 0xBA, 0xD0});
    std::vector<uint8_t> read = TlpBytes(TlpHeader::MakeMemRead(REGION, 4, 0x0000, 0x1F));
    // Forged as node 0, unsequenced: each would be delivered if its source were believed.
    Launch("write posing as node 0 (its window and key)",
           2,
           1,
           TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
           Tunnel(TunnelHeader::DATA, 0, g_sequence++, {write}, 0, key));
    Launch("read posing as node 0",
           2,
           1,
           TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
           Tunnel(TunnelHeader::DATA, 0, g_sequence++, {read}, 0, key));
    if (g_recorded != nullptr)
    {
        Launch("replay of node 0's write from node 2",
               2,
               1,
               TlpTunnelNetDevice::DROP_SPOOFED_SOURCE,
               g_recorded->Copy());
        Launch("replay of node 0's write from node 0's link",
               0,
               1,
               TlpTunnelNetDevice::DROP_DUPLICATE,
               g_recorded->Copy());
    }
    // From node 0's link: only the key can tell these from node 0's own packets.
    uint32_t guesses[] = {0, key + 1, key - 1, ~key, key ^ 0x00010000u, 0x12345678};
    for (uint32_t guess : guesses)
    {
        if (guess != key)
        {
            Launch("key guess " + Hex32(guess) + " from node 0's link",
                   0,
                   1,
                   TlpTunnelNetDevice::DROP_BAD_KEY,
                   Tunnel(TunnelHeader::DATA, 0, g_sequence++, {write}, 0, guess),
                   {write});
        }
    }
    std::vector<uint8_t> past =
        TlpBytes(TlpHeader::MakeMemWrite(REGION + Nic(0)->GetWindow(0)->size, 4, 0x0000, 0),
                 {0xBA, 0xD0, 0xBA, 0xD0});
    Launch("write past the region's end from node 0's link (right key)",
           0,
           1,
           TlpTunnelNetDevice::DROP_NO_REGION,
           Tunnel(TunnelHeader::DATA, 0, g_sequence++, {past}, 0, key),
           {past});
    // Node 2's own window and key, pointed at node 0's region.
    uint32_t ownKey = Nic(1)->GetExportTable().Find(2, 0)->key;
    Launch("write into node 0's region with node 2's own window and key",
           2,
           1,
           TlpTunnelNetDevice::DROP_NO_REGION,
           Tunnel(TunnelHeader::DATA, 2, 0, {write}, 0, ownKey),
           {write});
    Launch("write with node 0's key through node 2's window",
           2,
           1,
           TlpTunnelNetDevice::DROP_BAD_KEY,
           Tunnel(TunnelHeader::DATA, 2, 1, {write}, 0, key),
           {write});
}

void
Done(const TlpCpu::Result& r)
{
    g_results.push_back(r);
}

/// Node i's CPU writes `count` times `size` bytes of its pattern through its window.
void
HonestWrites(uint32_t i, uint64_t count, uint64_t size)
{
    for (uint64_t k = 0; k < count; ++k)
    {
        std::vector<uint8_t> data(size);
        for (uint64_t b = 0; b < size; ++b)
        {
            data[b] = TlpCpu::PatternByte(WINDOW + k * size + b, i + 1);
        }
        Simulator::Schedule(NanoSeconds(WRITE_GAP_NS * k),
                            &TlpCpu::Write,
                            TlpTunnelHelper::GetCpu(g_hosts.Get(i)),
                            WINDOW + k * size,
                            data,
                            MakeCallback(&Done));
    }
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string writesText = "100";
    std::string sizeText = "64";
    bool pcap = false;
    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("writes", "honest writes each way, 1..100000", writesText);
    cmd.AddValue("size", "bytes per honest write, 1..256", sizeText);
    cmd.AddValue("pcap", "write pcap files of the NICs and of the links", pcap);
    cmd.Parse(argc, argv);
    uint64_t writes;
    uint64_t size;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseUnsigned("writes", writesText, 1, 100000, writes) ||
        !ParseUnsigned("size", sizeText, 1, 256, size))
    {
        return 2;
    }

    g_hosts.Create(3);
    TlpTunnelHelper tunnel;
    NetDeviceContainer nics = tunnel.Install(g_hosts);
    TlpTopologyHelper topology;
    topology.Connect(g_hosts, tunnel, transport);
    tunnel.AssignStreams(g_hosts, 0);
    uint64_t bytes = writes * size;
    uint64_t windowSize = (bytes + 4095) / 4096 * 4096;
    tunnel.MapWindow(g_hosts.Get(0), WINDOW, windowSize, 1, REGION);
    tunnel.MapWindow(g_hosts.Get(1), WINDOW, windowSize, 0, REGION);
    tunnel.MapWindow(g_hosts.Get(2), WINDOW, 0x1000, 1); // the rogue's own region
    for (uint32_t i = 0; i < 2; ++i)
    {
        Nic(i)->TraceConnectWithoutContext("Drop", MakeBoundCallback(&Dropped, i));
    }
    Nic(0)->TraceConnectWithoutContext("MacTx", MakeCallback(&Node0MacTx));
    Nic(0)->TraceConnectWithoutContext("TlpTx", MakeCallback(&Node0TlpTx));
    Nic(1)->TraceConnectWithoutContext("MacRx", MakeCallback(&Node1MacRx));
    // Honest traffic from 20 us (after the grants): writes both ways, then node 0
    // reads its first write back (PCIe orders the read behind the writes).
    Simulator::Schedule(MicroSeconds(20), &HonestWrites, 0, writes, size);
    Simulator::Schedule(MicroSeconds(20), &HonestWrites, 1, writes, size);
    uint32_t readSize = static_cast<uint32_t>(std::min<uint64_t>(bytes, 256));
    Simulator::Schedule(MicroSeconds(20) + NanoSeconds(WRITE_GAP_NS * writes),
                        &TlpCpu::Read,
                        TlpTunnelHelper::GetCpu(g_hosts.Get(0)),
                        WINDOW,
                        readSize,
                        MakeCallback(&Done));
    Simulator::Schedule(MicroSeconds(30), &DataAttacks);
    if (pcap)
    {
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("rogue-node", nics);
        topology.EnablePcap("rogue-node");
    }
    Simulator::Run();

    uint32_t refused = 0;
    for (const Attack& a : g_attacks)
    {
        std::cout << "attack: " << a.name << " -> node " << a.victim << ": "
                  << (a.refused
                          ? "refused (" + TlpTunnelNetDevice::DropReasonToString(a.reason) + ")"
                          : std::string("NOT REFUSED"))
                  << "\n";
        refused += a.refused;
    }
    // Honest traffic: every operation ended with SC, the read saw node 0's bytes, and
    // both regions hold exactly what was written.
    bool match = g_results.size() == 2 * writes + 1 && g_unmatchedDrops == 0;
    for (const TlpCpu::Result& r : g_results)
    {
        match = match && r.status == TlpHeader::SC;
        if (r.kind == TlpCpu::OP_READ)
        {
            for (uint32_t b = 0; match && b < r.data.size(); ++b)
            {
                match = r.data[b] == TlpCpu::PatternByte(WINDOW + b, 1);
            }
        }
    }
    for (uint32_t i = 0; i < 2; ++i)
    {
        Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(g_hosts.Get(1 - i));
        for (uint64_t b = 0; match && b < windowSize + 4096; ++b)
        {
            uint8_t expected = b < bytes ? TlpCpu::PatternByte(WINDOW + b, i + 1) : 0;
            match = memory->GetStore().ReadByte(REGION + b) == expected;
        }
        match = match && memory->GetStore().ReadByte(0x50000000) == 0;
    }
    const TlpTunnelNetDevice::Statistics& s0 = Nic(0)->GetStatistics();
    const TlpTunnelNetDevice::Statistics& s1 = Nic(1)->GetStatistics();
    std::cout << "rogue-node: transport=" << transport << " writes=" << writes
              << " each way, size=" << size << " B\n";
    std::cout << "honest: " << g_results.size() << " operations ended, node 0 granted 0x"
              << std::hex << Nic(0)->GetWindow(0)->GetRegionBase() << std::dec
              << ", spoofed packets dropped: node 0 " << s0.spoofedPackets << ", node 1 "
              << s1.spoofedPackets << "; wrong keys at node 1: " << s1.badKeys << "\n";
    std::cout << "attacks: " << g_attacks.size() << " refused: " << refused << "\n";
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    bool ok = match && refused == g_attacks.size() && g_grantForged && g_completionForged;
    Simulator::Destroy();
    return ok ? 0 : 1;
}
