/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * Ping-pong over a reciprocal pathway: node 0 has a window onto node 1's memory
 * and node 1 one onto node 0's. Node 0's CPU stores a ping (the round number) into
 * its window; when it lands in node 1's memory, node 1's CPU stores the same number
 * as a pong into its window, which lands in node 0's memory and starts the next
 * round. The example prints the round-trip times and checks both memories.
 *
 *   ./tlp-tunnel.sh run ping-pong --transport=udp --rounds=1000
 */

#include "tlp-example-args.h"

#include "ns3/core-module.h"
#include "ns3/network-module.h"
#include "ns3/tlp-tunnel-module.h"

#include <iostream>

using namespace ns3;
using namespace tlpexample;

NS_LOG_COMPONENT_DEFINE("PingPongExample");

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on both nodes
const uint64_t REGION = 0x0000000040000000ULL; //!< region base on both nodes

/// The state of the game.
struct Game
{
    Ptr<TlpCpu> cpu[2];  //!< the players
    uint32_t rounds = 0; //!< rounds to play
    uint32_t played = 0; //!< pongs received by node 0
    Time sent;           //!< when the current ping left
    Time sum;            //!< sum of round-trip times
    Time max;            //!< largest round-trip time

    /// Store a 64-bit value through a player's window.
    void Store(int player, uint64_t value)
    {
        std::vector<uint8_t> bytes(8);
        for (int i = 0; i < 8; ++i)
        {
            bytes[i] = static_cast<uint8_t>(value >> (8 * i));
        }
        cpu[player]->Write(WINDOW, bytes, TlpCpu::DoneCallback());
    }

    void Ping()
    {
        sent = Simulator::Now();
        Store(0, played);
    }

    /// A write landed in node 1's memory: answer it.
    void AtNode1(Ptr<const Packet> tlp)
    {
        Store(1, played);
    }

    /// A write landed in node 0's memory: a round is over.
    void AtNode0(Ptr<const Packet> tlp)
    {
        Time rtt = Simulator::Now() - sent;
        sum += rtt;
        max = std::max(max, rtt);
        if (++played < rounds)
        {
            Ping();
        }
    }
};

uint64_t
Load(Ptr<TlpMemory> memory, uint64_t address)
{
    uint8_t bytes[8];
    memory->GetStore().Read(address, bytes, 8);
    uint64_t value = 0;
    for (int i = 7; i >= 0; --i)
    {
        value = value << 8 | bytes[i];
    }
    return value;
}

} // namespace

int
main(int argc, char* argv[])
{
    std::string transport = "ethernet";
    std::string link = "ethernet";
    bool pcap = false;
    std::string roundsText = "100";

    CommandLine cmd(__FILE__);
    cmd.AddValue("transport",
                 "ethernet (0x88B5 frames through a switch) or udp (UDP/IPv4 through a router)",
                 transport);
    cmd.AddValue("link",
                 "network links: ethernet (full duplex), csma (ns-3's bus) or p2p (PPP, udp only)",
                 link);
    cmd.AddValue("pcap", "write pcap files of the NICs (raw TLPs) and of the links", pcap);
    cmd.AddValue("rounds", "ping-pong rounds, 1..1000000", roundsText);
    cmd.Parse(argc, argv);
    uint64_t roundCount;
    if (!ParseChoice("transport", transport, {"ethernet", "udp"}) ||
        !ParseChoice("link", link, {"ethernet", "csma", "p2p"}) || !LinkFits(link, transport) ||
        !ParseUnsigned("rounds", roundsText, 1, 1000000, roundCount))
    {
        return 2;
    }
    uint32_t rounds = static_cast<uint32_t>(roundCount);

    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    NetDeviceContainer nics = tunnel.Install(hosts);
    TlpTopologyHelper topology;
    topology.SetLinkType(link);
    topology.Connect(hosts, tunnel, transport);
    // Windows in both directions between the pair (a reciprocal pathway).
    tunnel.MapWindow(hosts.Get(0), WINDOW, 4096, hosts.Get(1)->GetId(), REGION);
    tunnel.MapWindow(hosts.Get(1), WINDOW, 4096, hosts.Get(0)->GetId(), REGION);

    Game game;
    game.rounds = rounds;
    game.cpu[0] = TlpTunnelHelper::GetCpu(hosts.Get(0));
    game.cpu[1] = TlpTunnelHelper::GetCpu(hosts.Get(1));
    Ptr<TlpMemory> memory0 = TlpTunnelHelper::GetMemory(hosts.Get(0));
    Ptr<TlpMemory> memory1 = TlpTunnelHelper::GetMemory(hosts.Get(1));
    memory0->TraceConnectWithoutContext("Write", MakeCallback(&Game::AtNode0, &game));
    memory1->TraceConnectWithoutContext("Write", MakeCallback(&Game::AtNode1, &game));
    Simulator::Schedule(MicroSeconds(10), &Game::Ping, &game);

    if (pcap)
    {
        // Nanosecond timestamps: the events of interest are ns apart.
        Config::SetDefault("ns3::PcapFileWrapper::NanosecMode", BooleanValue(true));
        tunnel.EnablePcap("ping-pong", nics);
        topology.EnablePcap("ping-pong");
    }
    Simulator::Run();

    uint64_t last = rounds - 1;
    bool match =
        game.played == rounds && Load(memory1, REGION) == last && Load(memory0, REGION) == last;
    std::cout << "ping-pong: transport=" << transport << " link=" << link << " rounds=" << rounds
              << "\n";
    std::cout << "operations: " << game.played << " rounds, " << 2 * game.played
              << " writes of 8 B\n";
    std::cout << "round trip: mean "
              << (game.played ? (game.sum / int64_t(game.played)).GetNanoSeconds() : 0)
              << " ns, max " << game.max.GetNanoSeconds() << " ns\n";
    std::cout << "last ping in node 1 memory: " << Load(memory1, REGION)
              << ", last pong in node 0 memory: " << Load(memory0, REGION) << "\n";
    TlpTunnelHelper::PrintCounters(std::cout, hosts);
    std::cout << "memory-image: " << (match ? "match" : "mismatch") << "\n";
    Simulator::Destroy();
    return match ? 0 : 1;
}
