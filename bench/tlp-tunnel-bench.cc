/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * tlp-tunnel benchmark: what one simulated TLP costs, against plain ns-3 measured in
 * the same run on the same machine.
 *
 * Each case runs in a child process, several times; the median is printed. Per
 * case: wall seconds per simulated TLP (packet, for the baselines), simulated TLPs
 * per wall second, scheduler events per TLP, the child's peak memory and, for the
 * clusters, memory per node beyond the pages the workload touched. Wall time covers
 * Simulator::Run() after set-up and after the windows' grants, so it is the cost of
 * the data path alone. write-ethernet-unreliable and write-udp-unreliable are
 * write-ethernet and write-udp with Reliable=false, in the same rounds: their ratio is
 * what reliable delivery costs with no loss; the acks sent per TLP are printed.
 *
 * Cases are run in rounds, by group: a round runs each case of its group once, one
 * after the other, every other round in reverse, and there are --repeat rounds (A B C
 * C B A ...). Each line "ratio <case> vs <baseline>: X" is the median over the rounds
 * of the case's run divided by the baseline's run of the same round, so that both
 * sides of every ratio ran seconds apart on the shared machine, never minutes; the
 * same median of CPU-time ratios follows ("cpu"), which equals the wall-time one on
 * an idle machine and is less disturbed by other processes on a busy one.
 *
 * Baselines (64-byte payloads, one link of 100 Gb/s and 100 ns):
 *   udp-p2p        UdpClient -> UdpServer over a point-to-point link, ns-3's
 *                  defaults (IPv4 and IPv6 stacks, FqCoDel queue discs)
 *   udp-p2p-fifo   the same as TlpTopologyHelper builds IP fabrics: IPv4 only, no
 *                  queue discs (the device's DropTail queue alone)
 *   udp-fd         the same over a full-duplex Ethernet link (ARP entries filled
 *                  by ns-3's NeighborCacheHelper)
 *   ethernet-csma  PacketSocketClient -> PacketSocketServer over a CSMA channel
 *   ethernet-fd    the same over a full-duplex Ethernet link
 *
 *   ./tlp-tunnel.sh bench [--count=N] [--repeat=R] [--cases=a,b,...] [--large=true]
 *
 * Profiling one case (only Simulator::Run after the warm-up is recorded):
 *
 *   TLP_BENCH_NO_FORK=1 valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes \
 *       build-release/tlp-tunnel-bench --repeat=1 --cases=write-udp
 */

#include "ns3/applications-module.h"
#include "ns3/core-module.h"
#include "ns3/csma-module.h"
#include "ns3/internet-module.h"
#include "ns3/neighbor-cache-helper.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/tlp-tunnel-module.h"
#include "ns3/traffic-control-module.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// Under valgrind --tool=callgrind --instr-atstart=no, only the timed part is profiled.
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

using namespace ns3;

namespace
{

const uint64_t WINDOW = 0x0000100000000000ULL; //!< window base on every node
const uint32_t PAYLOAD = 64;                   //!< bytes per write, read and datagram
const Time WARMUP = MicroSeconds(50);          //!< grants happen before this

/// What a case measured.
struct Measure
{
    double wall = 0;           //!< seconds in Simulator::Run after the warm-up
    double cpu = 0;            //!< CPU seconds of the process in that time
    uint64_t units = 0;        //!< TLPs (or packets) delivered
    uint64_t events = 0;       //!< scheduler events in that time
    double rssKib = 0;         //!< peak resident memory of the process
    uint64_t nodes = 0;        //!< compute nodes
    uint64_t touchedPages = 0; //!< memory pages the workload touched
    uint64_t acks = 0;         //!< ACK packets sent (reliable delivery)
    bool ok = false;           //!< the case's own check passed
};

/// Record whether every window of every NIC has its grant.
void
CheckGranted(Measure* m)
{
    m->ok = true;
    for (uint32_t i = 0; i < NodeList::GetNNodes(); ++i)
    {
        Ptr<TlpTunnelNetDevice> nic = TlpTunnelHelper::GetNic(NodeList::GetNode(i));
        for (uint16_t w = 0; nic != nullptr && w < nic->GetNWindows(); ++w)
        {
            m->ok = m->ok && nic->GetWindow(w)->IsGranted();
        }
    }
}

/// Run the simulation: the warm-up untimed, the rest timed.
void
TimedRun(Measure& m, Time warmup)
{
    Simulator::Stop(warmup);
    Simulator::Run();
    uint64_t events = Simulator::GetEventCount();
    timespec cpuStart;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpuStart);
    auto start = std::chrono::steady_clock::now();
    CALLGRIND_START_INSTRUMENTATION;
    Simulator::Run();
    CALLGRIND_STOP_INSTRUMENTATION;
    m.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timespec cpuEnd;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpuEnd);
    m.cpu = (cpuEnd.tv_sec - cpuStart.tv_sec) + (cpuEnd.tv_nsec - cpuStart.tv_nsec) * 1e-9;
    m.events = Simulator::GetEventCount() - events;
}

/**
 * IPv4 on a link between two nodes: ns-3's defaults (IPv4 and IPv6, FqCoDel queue
 * discs) or, with `fifo`, as TlpTopologyHelper builds IP fabrics (IPv4 only, the
 * device's DropTail queue alone).
 */
Ipv4InterfaceContainer
AddIpv4(NodeContainer nodes, NetDeviceContainer devices, bool fifo)
{
    InternetStackHelper stack;
    stack.SetIpv6StackInstall(!fifo);
    stack.Install(nodes);
    Ipv4AddressHelper address;
    address.SetBase("10.1.1.0", "255.255.255.252");
    Ipv4InterfaceContainer interfaces = address.Assign(devices);
    if (fifo)
    {
        TrafficControlHelper().Uninstall(devices);
    }
    return interfaces;
}

/// Join two nodes by a point-to-point link (100 ns) with IPv4 (see AddIpv4).
Ipv4InterfaceContainer
JoinByPointToPoint(NodeContainer nodes, const std::string& rate, bool fifo)
{
    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue(rate));
    p2p.SetChannelAttribute("Delay", StringValue("100ns"));
    return AddIpv4(nodes, p2p.Install(nodes), fifo);
}

/**
 * Join two nodes by a full-duplex Ethernet link (100 ns), with IPv4 as
 * TlpTopologyHelper builds IP fabrics (IPv4 only, no queue discs, neighbours known)
 * when `ip` is set.
 */
std::pair<NetDeviceContainer, Ipv4InterfaceContainer>
JoinByEthernet(NodeContainer nodes, const std::string& rate, bool ip)
{
    FullDuplexEthernetHelper fd;
    fd.SetDeviceAttribute("DataRate", StringValue(rate));
    fd.SetChannelAttribute("Delay", StringValue("100ns"));
    NetDeviceContainer devices = fd.Install(nodes);
    Ipv4InterfaceContainer interfaces;
    if (ip)
    {
        interfaces = AddIpv4(nodes, devices, true);
        // The container form: the channel form of ns-3.37's helper needs IPv6 stacks.
        NeighborCacheHelper().PopulateNeighborCache(interfaces);
    }
    return {devices, interfaces};
}

/// The link a two-node baseline or case runs on.
enum class Link
{
    P2P,      //!< point-to-point, ns-3's default stack
    P2P_FIFO, //!< point-to-point, IPv4 only, no queue discs
    FD,       //!< full-duplex Ethernet
    CSMA      //!< ns-3's CSMA bus
};

/// UdpClient to UdpServer over one link (see JoinByPointToPoint and JoinByEthernet).
Measure
BaselineUdp(uint64_t count, Link link)
{
    Measure m;
    NodeContainer nodes;
    nodes.Create(2);
    Ipv4InterfaceContainer ifaces =
        link == Link::FD ? JoinByEthernet(nodes, "100Gbps", true).second
                         : JoinByPointToPoint(nodes, "100Gbps", link == Link::P2P_FIFO);
    UdpServerHelper server(9);
    ApplicationContainer serverApp = server.Install(nodes.Get(1));
    UdpClientHelper client(ifaces.GetAddress(1), 9);
    client.SetAttribute("MaxPackets", UintegerValue(count));
    client.SetAttribute("Interval", TimeValue(NanoSeconds(256)));
    client.SetAttribute("PacketSize", UintegerValue(PAYLOAD));
    ApplicationContainer clientApp = client.Install(nodes.Get(0));
    clientApp.Start(WARMUP);
    TimedRun(m, WARMUP);
    m.units = DynamicCast<UdpServer>(serverApp.Get(0))->GetReceived();
    m.ok = m.units == count;
    Simulator::Destroy();
    return m;
}

/// PacketSocketClient to PacketSocketServer over a two-node CSMA channel or a
/// full-duplex Ethernet link.
Measure
BaselineEthernet(uint64_t count, Link link)
{
    Measure m;
    NodeContainer nodes;
    nodes.Create(2);
    NetDeviceContainer devices;
    if (link == Link::CSMA)
    {
        CsmaHelper csma;
        csma.SetChannelAttribute("DataRate", StringValue("100Gbps"));
        csma.SetChannelAttribute("Delay", StringValue("100ns"));
        devices = csma.Install(nodes);
    }
    else
    {
        devices = JoinByEthernet(nodes, "100Gbps", false).first;
    }
    PacketSocketHelper packetSocket;
    packetSocket.Install(nodes);
    PacketSocketAddress socket;
    socket.SetSingleDevice(devices.Get(0)->GetIfIndex());
    socket.SetPhysicalAddress(devices.Get(1)->GetAddress());
    socket.SetProtocol(TlpEthernetTransport::ETHERTYPE);
    Ptr<PacketSocketClient> client = CreateObject<PacketSocketClient>();
    client->SetRemote(socket);
    client->SetAttribute("MaxPackets", UintegerValue(count));
    client->SetAttribute("Interval", TimeValue(NanoSeconds(256)));
    client->SetAttribute("PacketSize", UintegerValue(PAYLOAD));
    client->SetStartTime(WARMUP);
    nodes.Get(0)->AddApplication(client);
    PacketSocketAddress local;
    local.SetSingleDevice(devices.Get(1)->GetIfIndex());
    local.SetProtocol(TlpEthernetTransport::ETHERTYPE);
    Ptr<PacketSocketServer> server = CreateObject<PacketSocketServer>();
    server->SetLocal(local);
    nodes.Get(1)->AddApplication(server);
    uint64_t received = 0;

    struct Counter
    {
        uint64_t* n;

        void Rx(Ptr<const Packet>, const Address&)
        {
            ++*n;
        }
    } counter{&received};

    server->TraceConnectWithoutContext("Rx", MakeCallback(&Counter::Rx, &counter));
    TimedRun(m, WARMUP);
    m.units = received;
    m.ok = m.units == count;
    Simulator::Destroy();
    return m;
}

/// Counts TLPs executed by the memories.
struct Landed
{
    uint64_t n = 0;

    void Tlp(Ptr<const Packet>)
    {
        ++n;
    }
};

/// Join two compute nodes by one full-duplex Ethernet link.
void
JoinDirectly(NodeContainer hosts,
             TlpTunnelHelper& tunnel,
             const std::string& transport,
             const std::string& rate)
{
    if (transport == "ethernet")
    {
        tunnel.BindEthernet(hosts, JoinByEthernet(hosts, rate, false).first);
        return;
    }
    tunnel.BindUdp(hosts, JoinByEthernet(hosts, rate, true).second);
}

/// Map a window of node 0 onto node 1 and let node 0's CPU stream through it.
Ptr<TlpCpu>
StreamThroughWindow(NodeContainer hosts,
                    const TlpTunnelHelper& tunnel,
                    uint64_t count,
                    uint32_t size,
                    uint64_t range)
{
    tunnel.MapWindow(hosts.Get(0), WINDOW, range, hosts.Get(1)->GetId());
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(0));
    cpu->SetAttribute("StreamCount", UintegerValue(count));
    cpu->SetAttribute("StreamSize", UintegerValue(size));
    cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
    cpu->SetAttribute("StreamRange", UintegerValue(range));
    cpu->SetStartTime(WARMUP);
    return cpu;
}

/**
 * Two compute nodes on one full-duplex Ethernet link: node 0 streams 64-byte remote
 * writes or reads through a window onto node 1, with reliable delivery (the NIC's
 * default) or without.
 */
Measure
TwoNodes(const std::string& transport,
         uint64_t count,
         bool reads,
         uint32_t aggregate,
         bool reliable = true)
{
    Measure m;
    NodeContainer hosts;
    hosts.Create(2);
    TlpTunnelHelper tunnel;
    tunnel.SetNicAttribute("AggregationLimit", UintegerValue(aggregate));
    tunnel.SetNicAttribute("Reliable", BooleanValue(reliable));
    // Operations come one per 256 ns: a full batch of 16 gathers within 4.1 us.
    tunnel.SetNicAttribute("AggregationTimeout", TimeValue(MicroSeconds(10)));
    tunnel.Install(hosts);
    JoinDirectly(hosts, tunnel, transport, "100Gbps");
    Ptr<TlpCpu> cpu = StreamThroughWindow(hosts, tunnel, count, PAYLOAD, 1 << 24);
    cpu->SetAttribute("StreamRate", StringValue("2Gbps")); // one operation per 256 ns
    cpu->SetAttribute("StreamReadFraction", DoubleValue(reads ? 1.0 : 0.0));
    Landed landed;
    TlpTunnelHelper::GetMemory(hosts.Get(1))
        ->TraceConnectWithoutContext(reads ? "Read" : "Write", MakeCallback(&Landed::Tlp, &landed));
    TimedRun(m, WARMUP);
    m.units = landed.n;
    m.nodes = 2;
    m.acks = TlpTunnelHelper::GetNic(hosts.Get(0))->GetStatistics().acksSent +
             TlpTunnelHelper::GetNic(hosts.Get(1))->GetStatistics().acksSent;
    m.ok = landed.n == count && cpu->GetStatistics().operationsDone == count &&
           cpu->GetStatistics().errors == 0 && (reliable || m.acks == 0);
    if (!reads)
    {
        // Every DATA packet but the last carries exactly `aggregate` TLPs.
        const auto& nic = TlpTunnelHelper::GetNic(hosts.Get(0))->GetStatistics();
        m.ok = m.ok && nic.packetsSent - nic.grantRequests == (count + aggregate - 1) / aggregate;
    }
    Simulator::Destroy();
    return m;
}

/// One node: its CPU streams 64-byte writes or reads to its own memory.
Measure
Local(uint64_t count, bool reads)
{
    Measure m;
    NodeContainer host;
    host.Create(1);
    TlpTunnelHelper tunnel;
    tunnel.Install(host);
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(host.Get(0));
    cpu->SetAttribute("StreamCount", UintegerValue(count));
    cpu->SetAttribute("StreamSize", UintegerValue(PAYLOAD));
    cpu->SetAttribute("StreamRange", UintegerValue(1 << 24));
    cpu->SetAttribute("StreamRate", StringValue("2Gbps")); // one operation per 256 ns
    cpu->SetAttribute("StreamReadFraction", DoubleValue(reads ? 1.0 : 0.0));
    cpu->SetStartTime(WARMUP);
    Landed landed;
    TlpTunnelHelper::GetMemory(host.Get(0))
        ->TraceConnectWithoutContext(reads ? "Read" : "Write", MakeCallback(&Landed::Tlp, &landed));
    TimedRun(m, WARMUP);
    m.units = landed.n;
    m.nodes = 1;
    m.ok = landed.n == count && cpu->GetStatistics().operationsDone == count &&
           cpu->GetStatistics().errors == 0;
    Simulator::Destroy();
    return m;
}

/**
 * Hosts per leaf switch or router of an n-node cluster: 64, but one for the 2-node
 * clusters, whose writes then take the path most writes of the large clusters take
 * (leaf, root or spine, leaf), so that the clusters differ in size alone.
 */
uint32_t
HostsPerLeaf(uint32_t n)
{
    return std::min<uint32_t>(64, std::max<uint32_t>(1, n / 2));
}

/// Peer k (0..3) of node i in an n-node cluster: i + 1 + kn/4, never i itself.
uint32_t
Peer(uint32_t i, uint32_t k, uint32_t n)
{
    uint32_t peer = (i + 1 + k * std::max<uint32_t>(1, n / 4)) % n;
    return peer == i ? (i + 1) % n : peer;
}

/// Map a 4 KiB window of a node onto a peer (scheduled during the warm-up).
void
MapWindow(const TlpTunnelHelper* tunnel, Ptr<Node> node, uint64_t base, uint32_t peer)
{
    tunnel->MapWindow(node, base, 4096, peer);
}

/**
 * A cluster: every node writes to four peers spread across the cluster (i + N/4 k
 * + 1), one write to each in turn, over a two-level switched Ethernet or a leaf-spine
 * IPv4 fabric (see HostsPerLeaf).
 */
Measure
Cluster(const std::string& transport, uint32_t n, uint64_t writesPerNode)
{
    Measure m;
    NodeContainer hosts;
    hosts.Create(n);
    TlpTunnelHelper tunnel;
    tunnel.Install(hosts);
    TlpTopologyHelper topology;
    if (transport == "ethernet")
    {
        tunnel.BindEthernet(hosts, topology.BuildEthernetTree(hosts, HostsPerLeaf(n)));
        topology.PrimeLearning(Time(0));
    }
    else
    {
        tunnel.BindUdp(hosts, topology.BuildIpLeafSpine(hosts, HostsPerLeaf(n), 4));
    }
    // The grants (and the switches' learning) happen before the timed part. Nodes map
    // their windows one after another over the first 10 ms, as software would bring
    // them up, rather than all flooding their first grant requests at once.
    Time warmup = MilliSeconds(20);
    Time spacing = MilliSeconds(10) / n;
    Landed landed;
    for (uint32_t i = 0; i < n; ++i)
    {
        for (uint32_t k = 0; k < 4; ++k)
        {
            uint32_t peer = Peer(i, k, n);
            Simulator::ScheduleWithContext(hosts.Get(i)->GetId(),
                                           i * spacing,
                                           &MapWindow,
                                           &tunnel,
                                           hosts.Get(i),
                                           WINDOW + k * 4096,
                                           hosts.Get(peer)->GetId());
        }
        Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(hosts.Get(i));
        cpu->SetAttribute("StreamCount", UintegerValue(writesPerNode));
        cpu->SetAttribute("StreamSize", UintegerValue(PAYLOAD));
        cpu->SetAttribute("StreamBase", UintegerValue(WINDOW));
        cpu->SetAttribute("StreamRange", UintegerValue(4 * 4096));
        // One window after another, 64 bytes further into each: all four peers in turn.
        cpu->SetAttribute("StreamStride", UintegerValue(4096 + PAYLOAD));
        // One write per 40 us per node keeps every link far below its capacity (the
        // uplink of a 64-host leaf carries 64 x 12.8 Mb/s of data).
        cpu->SetAttribute("StreamRate", StringValue("12.8Mbps"));
        cpu->SetStartTime(warmup);
        TlpTunnelHelper::GetMemory(hosts.Get(i))
            ->TraceConnectWithoutContext("Write", MakeCallback(&Landed::Tlp, &landed));
    }
    Simulator::ScheduleWithContext(0, warmup, &CheckGranted, &m);
    TimedRun(m, warmup);
    m.units = landed.n;
    m.nodes = n;
    for (uint32_t i = 0; i < n; ++i)
    {
        m.touchedPages += TlpTunnelHelper::GetMemory(hosts.Get(i))->GetStore().GetAllocatedPages();
    }
    m.ok = m.ok && landed.n == uint64_t(n) * writesPerNode;
    Simulator::Destroy();
    return m;
}

/// Counts the frames packet-socket servers receive.
struct FrameCounter
{
    uint64_t n = 0;

    void Rx(Ptr<const Packet>, const Address&)
    {
        ++n;
    }
};

/// One 46-byte frame of local experimental EtherType 2 (no node handles it).
void
SendFrame(Ptr<NetDevice> from, Address to)
{
    from->Send(Create<Packet>(46), to, 0x88B6);
}

/**
 * Plain ns-3 on the fabric and traffic of Cluster(): every node sends 64-byte UDP
 * datagrams (UdpClient to UdpServer) or Ethernet frames (PacketSocketClient to
 * PacketSocketServer) to the same four peers, one per 40 us per node. On Ethernet
 * every peer first sends one frame back, as the tunnel's grants do (one host after
 * another over 10 ms), so the switches have learned both ends before the timed part.
 */
Measure
ClusterBaseline(const std::string& transport, uint32_t n, uint64_t packetsPerNode)
{
    Measure m;
    NodeContainer hosts;
    hosts.Create(n);
    TlpTopologyHelper topology;
    Time warmup = MilliSeconds(20);
    Time interval = MicroSeconds(40);
    uint64_t perPeer = packetsPerNode / 4;
    std::vector<Ptr<Application>> servers;
    FrameCounter frames;
    if (transport == "ethernet")
    {
        NetDeviceContainer devices = topology.BuildEthernetTree(hosts, HostsPerLeaf(n));
        topology.PrimeLearning(Time(0));
        PacketSocketHelper packetSocket;
        packetSocket.Install(hosts);
        for (uint32_t i = 0; i < n; ++i)
        {
            PacketSocketAddress local;
            local.SetSingleDevice(devices.Get(i)->GetIfIndex());
            local.SetProtocol(TlpEthernetTransport::ETHERTYPE);
            Ptr<PacketSocketServer> server = CreateObject<PacketSocketServer>();
            server->SetLocal(local);
            server->TraceConnectWithoutContext("Rx", MakeCallback(&FrameCounter::Rx, &frames));
            hosts.Get(i)->AddApplication(server);
            for (uint32_t k = 0; k < 4; ++k)
            {
                uint32_t peer = Peer(i, k, n);
                // One host after another, as the tunnel's grants: 40,000 frames at
                // once would overflow the switch queues and leave hosts unlearned.
                Simulator::ScheduleWithContext(hosts.Get(peer)->GetId(),
                                               MilliSeconds(1) + i * (MilliSeconds(10) / n),
                                               &SendFrame,
                                               devices.Get(peer),
                                               devices.Get(i)->GetAddress());
                PacketSocketAddress remote;
                remote.SetSingleDevice(devices.Get(i)->GetIfIndex());
                remote.SetPhysicalAddress(devices.Get(peer)->GetAddress());
                remote.SetProtocol(TlpEthernetTransport::ETHERTYPE);
                Ptr<PacketSocketClient> client = CreateObject<PacketSocketClient>();
                client->SetRemote(remote);
                client->SetAttribute("MaxPackets", UintegerValue(perPeer));
                client->SetAttribute("Interval", TimeValue(4 * interval));
                client->SetAttribute("PacketSize", UintegerValue(PAYLOAD));
                client->SetStartTime(warmup + k * interval);
                hosts.Get(i)->AddApplication(client);
            }
        }
    }
    else
    {
        Ipv4InterfaceContainer interfaces = topology.BuildIpLeafSpine(hosts, HostsPerLeaf(n), 4);
        for (uint32_t i = 0; i < n; ++i)
        {
            UdpServerHelper server(9);
            servers.push_back(server.Install(hosts.Get(i)).Get(0));
            for (uint32_t k = 0; k < 4; ++k)
            {
                UdpClientHelper client(interfaces.GetAddress(Peer(i, k, n)), 9);
                client.SetAttribute("MaxPackets", UintegerValue(perPeer));
                client.SetAttribute("Interval", TimeValue(4 * interval));
                client.SetAttribute("PacketSize", UintegerValue(PAYLOAD));
                ApplicationContainer app = client.Install(hosts.Get(i));
                app.Start(warmup + k * interval);
            }
        }
    }
    TimedRun(m, warmup);
    m.units = frames.n;
    for (const auto& server : servers)
    {
        Ptr<UdpServer> udp = DynamicCast<UdpServer>(server);
        m.units += udp != nullptr ? udp->GetReceived() : 0;
    }
    m.nodes = n;
    m.ok = m.units == n * perPeer * 4;
    Simulator::Destroy();
    return m;
}

/// Run a case in a child process; the child's peak memory is part of the result.
/// With TLP_BENCH_NO_FORK set the case runs in this process (for perf and callgrind).
Measure
InChild(const std::function<Measure()>& body)
{
    if (getenv("TLP_BENCH_NO_FORK") != nullptr)
    {
        Measure m = body();
        struct rusage usage;
        getrusage(RUSAGE_SELF, &usage);
        m.rssKib = usage.ru_maxrss;
        return m;
    }
    int fds[2];
    if (pipe(fds) != 0)
    {
        NS_FATAL_ERROR("pipe failed");
    }
    pid_t pid = fork();
    if (pid == 0)
    {
        close(fds[0]);
        Measure m = body();
        if (write(fds[1], &m, sizeof(m)) != sizeof(m))
        {
            _exit(2);
        }
        _exit(0);
    }
    close(fds[1]);
    Measure m;
    ssize_t got = read(fds[0], &m, sizeof(m));
    close(fds[0]);
    int status = 0;
    struct rusage usage;
    wait4(pid, &status, 0, &usage);
    if (got != sizeof(m) || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    {
        m = Measure();
    }
    m.rssKib = usage.ru_maxrss;
    return m;
}

double
PerUnit(const Measure& m)
{
    return m.units ? m.wall / m.units : 0;
}

/// CPU seconds per unit (TLP or packet).
double
CpuPerUnit(const Measure& m)
{
    return m.units ? m.cpu / m.units : 0;
}

/// The median of several runs of a case, by wall time per unit; ok if all were.
Measure
Median(std::vector<Measure> runs)
{
    std::sort(runs.begin(), runs.end(), [](const Measure& a, const Measure& b) {
        return PerUnit(a) < PerUnit(b);
    });
    Measure m = runs[runs.size() / 2];
    for (const auto& r : runs)
    {
        m.ok = m.ok && r.ok;
    }
    return m;
}

/// The median of some numbers.
double
MedianOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// A ratio line: case, baseline, and the group whose rounds pair their runs.
struct Ratio
{
    std::string a; //!< the case
    std::string b; //!< the baseline
    size_t group;  //!< the group both run in
};

} // namespace

int
main(int argc, char* argv[])
{
    uint64_t count = 200000;
    uint32_t repeat = 3;
    bool large = false;
    std::string only;

    CommandLine cmd(__FILE__);
    cmd.AddValue("count", "TLPs (packets) per two-node case", count);
    cmd.AddValue("repeat", "rounds: runs per case; medians are reported", repeat);
    cmd.AddValue("large", "include the 10,000-node clusters (several minutes more)", large);
    cmd.AddValue("cases", "comma-separated case names to run (default: all)", only);
    cmd.Parse(argc, argv);
    repeat = std::max<uint32_t>(repeat, 1);

    std::map<std::string, std::function<Measure()>> cases = {
        {"baseline-udp-p2p", [=]() { return BaselineUdp(count, Link::P2P); }},
        {"baseline-udp-p2p-fifo", [=]() { return BaselineUdp(count, Link::P2P_FIFO); }},
        {"baseline-udp-fd", [=]() { return BaselineUdp(count, Link::FD); }},
        {"baseline-ethernet-csma", [=]() { return BaselineEthernet(count, Link::CSMA); }},
        {"baseline-ethernet-fd", [=]() { return BaselineEthernet(count, Link::FD); }},
        {"local-write", [=]() { return Local(count, false); }},
        {"local-read", [=]() { return Local(count, true); }},
        {"write-ethernet", [=]() { return TwoNodes("ethernet", count, false, 1); }},
        {"write-udp", [=]() { return TwoNodes("udp", count, false, 1); }},
        {"write-ethernet-unreliable",
         [=]() { return TwoNodes("ethernet", count, false, 1, false); }},
        {"write-udp-unreliable", [=]() { return TwoNodes("udp", count, false, 1, false); }},
        {"write-ethernet-agg16", [=]() { return TwoNodes("ethernet", count, false, 16); }},
        {"write-udp-agg16", [=]() { return TwoNodes("udp", count, false, 16); }},
        {"read-ethernet", [=]() { return TwoNodes("ethernet", count / 2, true, 1); }},
        {"read-udp", [=]() { return TwoNodes("udp", count / 2, true, 1); }},
    };
    for (const char* t : {"ethernet", "udp"})
    {
        std::string transport = t;
        for (uint32_t n : {2u, 1000u, 10000u})
        {
            uint64_t writes = n == 2 ? 20000 : n == 1000 ? 40 : 20;
            std::string size = std::to_string(n) + "-" + transport;
            cases["cluster-" + size] = [=]() { return Cluster(transport, n, writes); };
            cases["plain-cluster-" + size] = [=]() {
                return ClusterBaseline(transport, n, writes);
            };
        }
    }
    // Groups run in rounds; in each, the cases that ratios compare run back to back.
    std::vector<std::vector<std::string>> groups = {
        {"baseline-udp-p2p",
         "write-ethernet",
         "write-ethernet-unreliable",
         "write-udp",
         "write-udp-unreliable",
         "write-ethernet-agg16",
         "write-udp-agg16",
         "baseline-udp-p2p-fifo",
         "baseline-udp-fd",
         "read-udp",
         "baseline-ethernet-fd",
         "read-ethernet",
         "baseline-ethernet-csma",
         "local-write",
         "local-read"},
    };
    std::vector<Ratio> ratios = {
        {"write-ethernet", "baseline-udp-p2p", 0},
        {"write-udp", "baseline-udp-p2p", 0},
        {"write-ethernet-agg16", "baseline-udp-p2p", 0},
        {"write-udp-agg16", "baseline-udp-p2p", 0},
        {"write-ethernet", "baseline-ethernet-fd", 0},
        {"write-udp", "baseline-udp-fd", 0},
        {"write-ethernet-agg16", "baseline-ethernet-fd", 0},
        {"write-udp-agg16", "baseline-udp-fd", 0},
        {"read-ethernet", "baseline-ethernet-fd", 0},
        {"read-udp", "baseline-udp-fd", 0},
        {"baseline-udp-fd", "baseline-udp-p2p-fifo", 0},
        {"baseline-ethernet-fd", "baseline-ethernet-csma", 0},
        {"write-ethernet", "write-ethernet-unreliable", 0},
        {"write-udp", "write-udp-unreliable", 0},
    };
    for (const char* t : {"ethernet", "udp"})
    {
        std::string c = std::string("cluster-");
        std::string p = std::string("plain-cluster-");
        std::string x = std::string("-") + t;
        groups.push_back({c + "2" + x, c + "1000" + x, p + "1000" + x, p + "2" + x});
        size_t g = groups.size() - 1;
        ratios.push_back({c + "1000" + x, c + "2" + x, g});
        ratios.push_back({p + "1000" + x, p + "2" + x, g});
        ratios.push_back({c + "2" + x, p + "2" + x, g});
        ratios.push_back({c + "1000" + x, p + "1000" + x, g});
        if (large)
        {
            groups.push_back({c + "2" + x, c + "10000" + x, p + "10000" + x, p + "2" + x});
            g = groups.size() - 1;
            ratios.push_back({c + "10000" + x, c + "2" + x, g});
            ratios.push_back({p + "10000" + x, p + "2" + x, g});
            ratios.push_back({c + "10000" + x, p + "10000" + x, g});
        }
    }
    auto selected = [&](const std::string& name) {
        return only.empty() || ("," + only + ",").find("," + name + ",") != std::string::npos;
    };
    Measure empty = InChild([]() {
        Measure m;
        m.ok = true;
        return m;
    });

    std::cout << "tlp-tunnel benchmark: " << repeat << " rounds, medians, " << count
              << " TLPs per two-node case" << std::endl;
    // runs[group][case] = one measure per round
    std::vector<std::map<std::string, std::vector<Measure>>> runs(groups.size());
    std::map<std::string, std::vector<Measure>> all;
    std::vector<std::string> order;
    for (size_t g = 0; g < groups.size(); ++g)
    {
        for (uint32_t r = 0; r < repeat; ++r)
        {
            // Every other round in reverse (A B, B A, ...): a case that runs first or
            // second in a round is not favoured by the machine's drift.
            std::vector<std::string> round = groups[g];
            if (r % 2)
            {
                std::reverse(round.begin(), round.end());
            }
            for (const auto& name : round)
            {
                if (!selected(name))
                {
                    continue;
                }
                Measure m = InChild(cases[name]);
                runs[g][name].push_back(m);
                if (all[name].empty())
                {
                    order.push_back(name);
                }
                all[name].push_back(m);
            }
        }
    }

    std::cout << std::left << std::setw(30) << "case" << std::right << std::setw(10) << "TLPs"
              << std::setw(12) << "us/TLP" << std::setw(14) << "TLPs/s" << std::setw(12)
              << "events/TLP" << std::setw(10) << "peak MiB" << std::setw(10) << "KiB/node"
              << std::setw(6) << "runs"
              << "  check\n";
    bool ok = true;
    for (const auto& name : order)
    {
        Measure m = Median(all[name]);
        ok = ok && m.ok;
        std::ostringstream perNode;
        if (m.nodes > 2)
        {
            double beyond = (m.rssKib - empty.rssKib) - m.touchedPages * 4.0;
            perNode << std::fixed << std::setprecision(1) << beyond / m.nodes;
        }
        else
        {
            perNode << "-";
        }
        std::cout << std::left << std::setw(30) << name << std::right << std::setw(10) << m.units
                  << std::setw(12) << std::fixed << std::setprecision(3) << PerUnit(m) * 1e6
                  << std::setw(14) << std::setprecision(0) << (m.wall > 0 ? m.units / m.wall : 0)
                  << std::setw(12) << std::setprecision(2)
                  << (m.units ? double(m.events) / m.units : 0) << std::setw(10)
                  << std::setprecision(1) << m.rssKib / 1024 << std::setw(10) << perNode.str()
                  << std::setw(6) << all[name].size() << "  " << (m.ok ? "ok" : "FAILED")
                  << std::endl;
    }
    for (const auto& ratio : ratios)
    {
        const auto& a = runs[ratio.group][ratio.a];
        const auto& b = runs[ratio.group][ratio.b];
        std::vector<double> pairs;
        std::vector<double> cpuPairs;
        for (size_t r = 0; r < std::min(a.size(), b.size()); ++r)
        {
            if (PerUnit(a[r]) > 0 && PerUnit(b[r]) > 0 && CpuPerUnit(b[r]) > 0)
            {
                pairs.push_back(PerUnit(a[r]) / PerUnit(b[r]));
                cpuPairs.push_back(CpuPerUnit(a[r]) / CpuPerUnit(b[r]));
            }
        }
        if (pairs.empty())
        {
            continue;
        }
        // Wall time is what a user waits; CPU time is the same on an idle machine and
        // less disturbed by other processes on a shared one.
        std::cout << "ratio " << ratio.a << " vs " << ratio.b << ": " << std::fixed
                  << std::setprecision(3) << MedianOf(pairs) << "  (" << pairs.size() << " pairs, "
                  << *std::min_element(pairs.begin(), pairs.end()) << " to "
                  << *std::max_element(pairs.begin(), pairs.end()) << ")  cpu "
                  << MedianOf(cpuPairs) << " ("
                  << *std::min_element(cpuPairs.begin(), cpuPairs.end()) << " to "
                  << *std::max_element(cpuPairs.begin(), cpuPairs.end()) << ")" << std::endl;
    }
    // Reliable delivery's own traffic: ACK packets per TLP delivered.
    for (const char* name : {"write-ethernet", "write-udp"})
    {
        if (!all[name].empty())
        {
            Measure m = Median(all[name]);
            std::cout << "acks per TLP " << name << ": " << std::fixed << std::setprecision(4)
                      << (m.units ? double(m.acks) / m.units : 0) << std::endl;
        }
    }
    return ok ? 0 : 1;
}
