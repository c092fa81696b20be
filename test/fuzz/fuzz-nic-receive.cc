/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * The NIC's receive path fed arbitrary tunnel packets, as if from a forged peer.
 *
 * Two nodes built by TlpTunnelHelper (see fuzz-nic-setup.h for the scene) whose
 * NICs reach each other through FuzzTransport, a TlpTransport of this target's own
 * (public and protected API only). Each record of the input is handed to a NIC as
 * if its transport had received it; the simulation then runs on.
 *
 * Oracles:
 * - nothing aborts (a NIC that sends to a node outside the fabric makes the
 *   transport abort, as the real transports do);
 * - a NIC counts a packet malformed exactly when the documentation says it drops
 *   it whole (a reference verdict from the raw bytes: the tunnel header, the
 *   features this version does not produce, the source, the TLPs' lengths, headers,
 *   sizes, ECRCs and kinds, the ACK and grant bodies, and an acknowledgement of
 *   what the NIC never sent), and such a packet places nothing, sends nothing and
 *   changes no other counter (nothing about it is recorded, its sequence number
 *   included);
 * - a DATA packet whose region key is not the key of the grant its source and
 *   window name has each of its TLPs dropped or answered with UR, and records no
 *   sequence number (a record's DATA packets with key 0 get the grant's key, so
 *   the seeds reach the receive window; any other key stays as the input has it);
 * - of a DATA or COMPLETION packet that is not malformed, the TLPs a reference
 *   receive window says are delivered now (the packet's own when it is next in
 *   sequence, and those it releases from the reorder buffer; none of a duplicate or
 *   of a packet kept for later) are accounted for at once: placed on the
 *   interconnect, dropped, or answered with UR;
 * - every TLP a NIC places is whole (the size its header gives) and, when it has
 *   a digest, its ECRC is right (a bitwise CRC-32 of this target's own);
 * - every request a NIC places lies inside a region that NIC granted to the
 *   packet's source and window (the regions are learnt from the GRANT packets it
 *   sent);
 * - every memory byte that changed during a record is covered by the data of a
 *   write or AtomicOp its node's NIC placed during that record: a dropped packet or
 *   TLP changes no memory byte (memory images compared byte for byte before and
 *   after);
 * - after the input, once every timeout has passed, the fabric falls quiet (no
 *   packet travels for ever).
 *
 * The input's first byte chooses options of the scene (aggregation, ECRC). Simulator
 * state: the scene is built anew for every input and Simulator::Destroy()
 * ends it, so an input always meets the same scene and a finding replays
 * exactly. With TLP_FUZZ_NIC_PERSISTENT=1 in the environment one scene serves
 * every input instead (faster, but findings may depend on earlier inputs).
 */

#include "fuzz-nic-setup.h"
#include "fuzz-util.h"

#include "ns3/boolean.h"
#include "ns3/mac48-address.h"
#include "ns3/node-container.h"
#include "ns3/nstime.h"
#include "ns3/simulator.h"
#include "ns3/tlp-ecrc-trailer.h"
#include "ns3/tlp-tunnel-helper.h"
#include "ns3/uinteger.h"

#include <iostream>
#include <map>
#include <memory>

using namespace ns3;
using namespace ns3::tlpfuzz;
using namespace ns3::tlpfuzz::nic;

namespace
{

class Scene;

/// The network as the NICs see it.
class FuzzTransport : public TlpTransport
{
  public:
    static TypeId GetTypeId()
    {
        static TypeId tid =
            TypeId("ns3::TlpFuzzTransport").SetParent<TlpTransport>().SetGroupName("TlpTunnel");
        return tid;
    }

    FuzzTransport(Scene* scene, uint32_t node)
        : m_scene(scene),
          m_node(node)
    {
    }

    bool Send(Ptr<Packet> packet, uint32_t peer) override;

    bool CanSend(uint32_t peer) override
    {
        return true;
    }

    Address GetLocalAddress() const override
    {
        return AddressOf(m_node);
    }

    uint32_t GetWireSize(uint32_t payload) const override
    {
        return payload;
    }

    /// A packet arrives from the network, sent by the node it names (the fuzzer
    /// forges packet contents, not the link-level source).
    void Deliver(Ptr<Packet> packet)
    {
        if (!m_receive.IsNull())
        {
            uint8_t b[8] = {0};
            packet->CopyData(b, 8);
            uint32_t source =
                uint32_t(b[4]) << 24 | uint32_t(b[5]) << 16 | uint32_t(b[6]) << 8 | b[7];
            m_receive(packet, AddressOf(source));
        }
    }

    static Mac48Address AddressOf(uint32_t node)
    {
        uint8_t bytes[6] = {0x02, 0, 0, 0, 0, static_cast<uint8_t>(node)};
        Mac48Address address;
        address.CopyFrom(bytes);
        return address;
    }

  private:
    Scene* m_scene;
    uint32_t m_node;
};

/// A TLP a NIC placed on its interconnect: the bytes its data may change.
struct Placed
{
    uint64_t address;
    uint64_t span;
};

/// A region a NIC granted.
struct Region
{
    uint32_t peer;
    uint16_t window;
    uint64_t base;
    uint64_t size;
};

/// Where a trace sink reports to.
struct Tap
{
    Scene* scene;
    uint32_t node;
};

/// A tunnel packet's bytes, read by the reference decoder.
TunnelReference
ReadTunnel(const std::vector<uint8_t>& bytes)
{
    return DecodeTunnel(bytes.data(), bytes.size());
}

/// Reference reading of a TLP header: address and the bytes a request touches.
bool
ReadRequest(const std::vector<uint8_t>& b, uint64_t& address, uint64_t& span, bool& data)
{
    if (b.size() < 12)
    {
        return false;
    }
    uint8_t fmt = b[0] >> 5;
    uint8_t type = b[0] & 0x1F;
    bool wide = fmt & 1;
    data = fmt & 2;
    bool memory = type == 0x00 || type == 0x01 || (data && type >= 0x0C && type <= 0x0E);
    if (fmt > 3 || !memory || b.size() < (wide ? 16u : 12u))
    {
        return false;
    }
    uint32_t length = (b[2] & 3) << 8 | b[3];
    span = uint64_t(length == 0 ? 1024 : length) * 4;
    if (type == 0x0E)
    {
        span /= 2; // CAS: compare and swap operands, one target
    }
    address = (wide ? Be64(&b[8]) : Be32(&b[8])) & ~uint64_t(3);
    return true;
}

using Image = std::map<uint64_t, std::vector<uint8_t>>;

Image
Snapshot(Ptr<TlpMemory> memory)
{
    Image image;
    for (uint64_t page : memory->GetStore().GetAllocatedPageAddresses())
    {
        std::vector<uint8_t>& bytes = image[page];
        bytes.resize(PAGE);
        memory->GetStore().Read(page, bytes.data(), PAGE);
    }
    return image;
}

/// The two nodes, their NICs and what the oracles watch.
class Scene
{
  public:
    /// \param options Option bits
    explicit Scene(uint8_t options);
    ~Scene();

    /// Hand one record's packet to a NIC and run on.
    void Step(uint8_t control, std::vector<uint8_t> payload);
    /// Let every timeout pass; the fabric must fall quiet.
    void Finish();

    void OnSend(uint32_t from, Ptr<Packet> packet, uint32_t peer);
    void OnMacRx(uint32_t node, Ptr<const Packet> packet);
    void OnTlpRx(uint32_t node, Ptr<const Packet> tlp);
    void OnDrop(uint32_t node, Ptr<const Packet> packet, uint8_t reason);

  private:
    /**
     * \param node the receiving node
     * \param bytes a tunnel packet
     * \return true when the documentation says the NIC drops it whole
     */
    bool DroppedWhole(uint32_t node, const std::vector<uint8_t>& bytes) const;
    /**
     * \brief The reference receive window: what a packet delivers now.
     * \param node the receiving node
     * \param t the packet's tunnel header
     * \param[out] windows (source, window) of the packets delivered
     * \return the TLPs delivered now (the packet's own and those it releases)
     */
    uint64_t Receive(uint32_t node, const TunnelReference& t, std::vector<Region>& windows);
    void Inject(uint32_t node, Ptr<Packet> packet);
    void Deliver(uint32_t node, Ptr<Packet> packet);
    void CheckMemory(uint32_t node, const Image& before);
    /// What the scene's counters say (TLP_FUZZ_VERBOSE set).
    void Print(std::ostream& os, uint8_t control, const std::vector<uint8_t>& payload) const;

    NodeContainer m_hosts;
    TlpTunnelHelper m_tunnel;
    Ptr<TlpPeerDirectory> m_directory;
    Ptr<FuzzTransport> m_transport[2];
    Ptr<TlpTunnelNetDevice> m_nic[2];
    Ptr<TlpMemory> m_memory[2];
    Tap m_taps[2];
    std::vector<Region> m_granted[2]; //!< regions each NIC granted
    std::vector<Placed> m_placed[2];  //!< what each NIC placed during the record
    uint64_t m_sent[2] = {0, 0};      //!< packets each NIC sent
    uint32_t m_nextSeq[2] = {0, 0};   //!< next sequence number each NIC uses (to the other)
    TunnelReference m_rx[2];          //!< the packet each NIC is receiving
    std::vector<uint8_t> m_rxBytes[2];
    /// (source, window) of the packets delivered during the current Inject().
    std::vector<Region> m_delivering[2];
    // The reference receive window of each NIC for the other's packets.
    uint32_t m_rxNext[2] = {0, 0}; //!< reliable: next in order
    std::map<uint32_t, std::pair<uint16_t, uint16_t>>
        m_kept[2];                         //!< reliable: seq -> (TLPs, window)
    uint32_t m_rxHighest[2] = {0, 0};      //!< unsequenced: one past the highest
    std::map<uint32_t, bool> m_missing[2]; //!< unsequenced: numbers not seen yet
};

bool
FuzzTransport::Send(Ptr<Packet> packet, uint32_t peer)
{
    // As the real transports do: resolve the peer's address, which must exist.
    GetDirectory()->Get(peer);
    m_scene->OnSend(m_node, packet, peer);
    return true;
}

void
MacRxSink(Tap* tap, Ptr<const Packet> packet)
{
    tap->scene->OnMacRx(tap->node, packet);
}

void
TlpRxSink(Tap* tap, Ptr<const Packet> tlp)
{
    tap->scene->OnTlpRx(tap->node, tlp);
}

void
DropSink(Tap* tap, Ptr<const Packet> packet, uint8_t reason)
{
    tap->scene->OnDrop(tap->node, packet, reason);
}

Scene::Scene(uint8_t options)
{
    // Node 1's unanswered grant request is resent rarely: fewer events per input.
    m_tunnel.SetNicAttribute("GrantRetry", TimeValue(Seconds(1)));
    if (options & AGGREGATE)
    {
        m_tunnel.SetNicAttribute("AggregationLimit", UintegerValue(16));
    }
    if (options & ECRC)
    {
        m_tunnel.SetCpuAttribute("Ecrc", BooleanValue(true));
        m_tunnel.SetMemoryAttribute("Ecrc", BooleanValue(true));
    }
    m_hosts.Create(2);
    m_tunnel.Install(m_hosts);
    m_directory = CreateObject<TlpPeerDirectory>();
    for (uint32_t i = 0; i < 2; ++i)
    {
        m_nic[i] = TlpTunnelHelper::GetNic(m_hosts.Get(i));
        m_memory[i] = TlpTunnelHelper::GetMemory(m_hosts.Get(i));
        m_transport[i] = CreateObject<FuzzTransport>(this, i);
        m_transport[i]->SetDirectory(m_directory);
        m_nic[i]->SetTransport(m_transport[i]);
        m_directory->Add(i, FuzzTransport::AddressOf(i));
        m_taps[i] = {this, i};
        m_nic[i]->TraceConnectWithoutContext("MacRx", MakeBoundCallback(&MacRxSink, &m_taps[i]));
        m_nic[i]->TraceConnectWithoutContext("TlpRx", MakeBoundCallback(&TlpRxSink, &m_taps[i]));
        m_nic[i]->TraceConnectWithoutContext("Drop", MakeBoundCallback(&DropSink, &m_taps[i]));
        // Known contents for reads and atomics to return.
        std::vector<uint8_t> pattern(2 * PAGE);
        for (size_t b = 0; b < pattern.size(); ++b)
        {
            pattern[b] = static_cast<uint8_t>(b * 7 + i);
        }
        m_memory[i]->GetStore().Write(REGION, pattern.data(), pattern.size());
        m_memory[i]->GetStore().Write(EXPORT_BASE, pattern.data(), pattern.size());
    }
    m_tunnel.MapWindow(m_hosts.Get(0), WINDOW, WINDOW_SIZE, 1, REGION);
    m_tunnel.MapWindow(m_hosts.Get(0),
                       WINDOW1,
                       WINDOW_SIZE,
                       1,
                       TunnelGrantHeader::ANY_BASE,
                       TlpWindow::RECEIVER);
    m_tunnel.MapWindow(m_hosts.Get(1), WINDOW, WINDOW_SIZE, 0, REGION);
    m_tunnel.MapWindow(m_hosts.Get(1), PENDING, PAGE, 0, REGION + WINDOW_SIZE);
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(m_hosts.Get(1));
    // Into the pending window: they wait in node 1's NIC, holding tags 0..3.
    cpu->Write(PENDING_WRITE, std::vector<uint8_t>(64, 0x5a), TlpCpu::DoneCallback());
    cpu->Read(PENDING_READ, 64, TlpCpu::DoneCallback());
    cpu->Read(PENDING_SPLIT, 600, TlpCpu::DoneCallback());
    cpu->FetchAdd(PENDING_ATOMIC, 1, 8, TlpCpu::DoneCallback());
    Simulator::Stop(MicroSeconds(50));
    Simulator::Run();
    FUZZ_CHECK(m_nic[0]->GetWindow(0)->IsGranted() && m_nic[0]->GetWindow(1)->IsGranted() &&
                   m_nic[1]->GetWindow(0)->IsGranted() && !m_nic[1]->GetWindow(1)->IsGranted(),
               "the scene's grants");
    FUZZ_CHECK(m_granted[1].size() == 2 && m_granted[0].size() == 1,
               "regions granted: " << m_granted[0].size() << ", " << m_granted[1].size());
}

Scene::~Scene()
{
    Simulator::Destroy();
}

void
Scene::OnSend(uint32_t from, Ptr<Packet> packet, uint32_t peer)
{
    m_sent[from]++;
    std::vector<uint8_t> bytes = Bytes(packet);
    TunnelReference t = ReadTunnel(bytes);
    FUZZ_CHECK(t.size != 0 && t.source == from, "NIC " << from << " sent " << Hex(bytes));
    if ((t.kind == TunnelHeader::DATA || t.kind == TunnelHeader::COMPLETION) &&
        static_cast<int32_t>(t.sequence + 1 - m_nextSeq[from]) > 0)
    {
        m_nextSeq[from] = t.sequence + 1;
    }
    if (t.kind == TunnelHeader::GRANT && bytes.size() >= t.size + 28u && bytes[t.size + 25] == 0)
    {
        const uint8_t* body = &bytes[t.size];
        m_granted[from].push_back({peer, t.window, Be64(body + 16), Be64(body + 8)});
    }
    if (from == 1 && t.kind == TunnelHeader::GRANT_REQUEST && t.window == 1)
    {
        return; // the pending window's request is lost
    }
    Simulator::ScheduleWithContext(peer,
                                   NanoSeconds(LINK_DELAY_NS),
                                   &Scene::Deliver,
                                   this,
                                   peer,
                                   packet->Copy());
}

void
Scene::Deliver(uint32_t node, Ptr<Packet> packet)
{
    // A NIC's own packet: it moves the receiver's window as a forged one would.
    TunnelReference t = ReadTunnel(Bytes(packet));
    m_delivering[node].clear();
    if (t.kind == TunnelHeader::DATA || t.kind == TunnelHeader::COMPLETION)
    {
        Receive(node, t, m_delivering[node]);
    }
    m_transport[node]->Deliver(packet);
}

void
Scene::OnMacRx(uint32_t node, Ptr<const Packet> packet)
{
    m_rxBytes[node] = Bytes(packet);
    m_rx[node] = ReadTunnel(m_rxBytes[node]);
}

void
Scene::OnTlpRx(uint32_t node, Ptr<const Packet> tlp)
{
    std::vector<uint8_t> bytes = Bytes(tlp);
    // Whole, as its header describes it, and with a correct digest if it has one.
    FUZZ_CHECK(bytes.size() >= 12, "NIC " << node << " placed " << bytes.size() << " bytes");
    uint32_t length = (bytes[2] & 3) << 8 | bytes[3];
    bool digest = bytes[2] & 0x80;
    size_t size = ((bytes[0] & 0x20) ? 16 : 12) +
                  ((bytes[0] & 0x40) ? (length == 0 ? 4096 : 4 * length) : 0) + (digest ? 4 : 0);
    FUZZ_CHECK(bytes.size() == size,
               "NIC " << node << " placed a TLP of " << bytes.size() << " bytes whose header says "
                      << size << ": " << Hex(bytes.data(), 16));
    FUZZ_CHECK(!digest || Lsb32(&bytes[size - 4]) == ReferenceEcrc(bytes.data(), size - 4),
               "NIC " << node << " placed a TLP with a wrong ECRC: " << Hex(bytes.data(), 16));
    uint64_t address;
    uint64_t span;
    bool data;
    if (!ReadRequest(bytes, address, span, data))
    {
        return; // completions are routed by ID, they touch no memory
    }
    bool inside = false;
    for (const Region& from : m_delivering[node])
    {
        for (const Region& r : m_granted[node])
        {
            if (r.peer == from.peer && r.window == from.window && address >= r.base &&
                span <= r.size && address - r.base <= r.size - span)
            {
                inside = true;
            }
        }
    }
    FUZZ_CHECK(inside,
               "NIC " << node << " placed " << Hex(bytes.data(), std::min<size_t>(16, bytes.size()))
                      << " outside every region it granted the windows of the packets it delivers; "
                      << "packet "
                      << Hex(m_rxBytes[node].data(), std::min<size_t>(64, m_rxBytes[node].size())));
    if (data)
    {
        m_placed[node].push_back({address, span});
    }
}

void
Scene::OnDrop(uint32_t node, Ptr<const Packet> packet, uint8_t reason)
{
    FUZZ_CHECK(reason <= TlpTunnelNetDevice::DROP_OFFSET_RANGE, "drop reason " << +reason);
}

bool
Scene::DroppedWhole(uint32_t node, const std::vector<uint8_t>& bytes) const
{
    TunnelReference r = ReadTunnel(bytes);
    uint8_t offsetAndAddress = TunnelHeader::FLAG_MEMORY_ID | TunnelHeader::FLAG_TRANSLATED;
    if (r.size == 0 || (r.flags & (TunnelHeader::FLAG_COMPRESSED | TunnelHeader::FLAG_MULTICAST)) ||
        (r.flags & offsetAndAddress) == offsetAndAddress)
    {
        return true; // refused header, a feature this version does not produce, or an
                     // offset flagged as a translated address
    }
    const uint8_t* body = bytes.data() + r.size;
    size_t rest = bytes.size() - r.size;
    if (r.kind == TunnelHeader::DATA || r.kind == TunnelHeader::COMPLETION)
    {
        if (r.total > rest)
        {
            return true;
        }
        size_t offset = 0;
        for (uint16_t i = 0; i < r.count; ++i)
        {
            const uint8_t* tlp = body + offset;
            size_t n = Be16(bytes.data() + 24 + 2 * i);
            offset += n;
            TlpReference h = DecodeTlp(tlp, n);
            if (h.size == 0)
            {
                return true;
            }
            uint32_t length = (tlp[2] & 3) << 8 | tlp[3];
            bool digest = tlp[2] & 0x80;
            size_t whole =
                h.size + (h.data ? (length == 0 ? 4096 : 4 * length) : 0) + (digest ? 4 : 0);
            if (n != whole || (digest && Lsb32(tlp + n - 4) != ReferenceEcrc(tlp, n - 4)))
            {
                return true;
            }
            bool fits = r.kind == TunnelHeader::DATA ? h.memory
                                                     : h.completion || IsWriteConfirmation(tlp, n);
            if (!fits)
            {
                return true;
            }
        }
    }
    else if (r.kind == TunnelHeader::ACK)
    {
        if (DecodeAck(body, rest).size == 0)
        {
            return true;
        }
    }
    else if (r.kind == TunnelHeader::REMAP || r.kind == TunnelHeader::REMAP_ACK)
    {
        if (!RemapBodyValid(body, rest) || Be16(body) != r.window || Be32(body + 4) != r.sequence)
        {
            return true; // a body that does not parse, or disagrees with its header
        }
    }
    else if (rest < TunnelGrantHeader::SIZE || body[24] > 1 || body[25] > 6 || body[26] > 3 ||
             body[27] != 0)
    {
        return true; // GRANT_REQUEST or GRANT
    }
    if (r.source == node || r.source > 1)
    {
        return true;
    }
    // An acknowledgement of a sequence number the NIC never used.
    bool ack = r.kind == TunnelHeader::ACK || (r.flags & TunnelHeader::FLAG_ACK);
    int32_t ahead = static_cast<int32_t>(r.ack - m_nextSeq[node]);
    return ack && ahead > 0;
}

uint64_t
Scene::Receive(uint32_t node, const TunnelReference& t, std::vector<Region>& windows)
{
    uint64_t delivered = 0;
    if (t.flags & TunnelHeader::FLAG_RELIABLE)
    {
        int32_t offset = static_cast<int32_t>(t.sequence - m_rxNext[node]);
        if (offset < 0 || offset >= 256 || m_kept[node].count(t.sequence))
        {
            return 0; // a duplicate, or beyond the receive window
        }
        if (offset > 0)
        {
            m_kept[node][t.sequence] = {t.count, t.window};
            return 0; // kept until the gap fills
        }
        delivered = t.count;
        windows.push_back({t.source, t.window, 0, 0});
        for (m_rxNext[node]++; m_kept[node].count(m_rxNext[node]); m_rxNext[node]++)
        {
            auto kept = m_kept[node][m_rxNext[node]];
            delivered += kept.first;
            windows.push_back({t.source, kept.second, 0, 0});
            m_kept[node].erase(m_rxNext[node]);
        }
        return delivered;
    }
    int32_t offset = static_cast<int32_t>(t.sequence - m_rxHighest[node]);
    if (offset >= 0)
    {
        if (offset > (1 << 16))
        {
            return 0;
        }
        for (uint32_t s = m_rxHighest[node]; s != t.sequence; ++s)
        {
            m_missing[node][s] = true;
        }
        m_rxHighest[node] = t.sequence + 1;
    }
    else
    {
        auto missing = m_missing[node].find(t.sequence);
        if (missing == m_missing[node].end() || offset < -1024)
        {
            return 0; // a duplicate, or too old to tell
        }
        m_missing[node].erase(missing);
    }
    windows.push_back({t.source, t.window, 0, 0});
    return t.count;
}

void
Scene::Inject(uint32_t node, Ptr<Packet> packet)
{
    std::vector<uint8_t> bytes = Bytes(packet);
    TlpTunnelNetDevice::Statistics before = m_nic[node]->GetStatistics();
    uint64_t sent = m_sent[node];
    size_t placed = m_placed[node].size();
    bool whole = DroppedWhole(node, bytes);
    TunnelReference t = ReadTunnel(bytes);
    m_delivering[node].clear();
    uint64_t expected = 0;
    const TlpExportGrant* g = t.kind == TunnelHeader::DATA
                                  ? m_nic[node]->GetExportTable().Find(t.source, t.window)
                                  : nullptr;
    if (!whole && g != nullptr && g->key != t.key)
    {
        expected = t.count; // refused one by one, before the receive window
    }
    else if (!whole && (t.kind == TunnelHeader::DATA || t.kind == TunnelHeader::COMPLETION))
    {
        expected = Receive(node, t, m_delivering[node]);
    }
    m_transport[node]->Deliver(packet);
    const TlpTunnelNetDevice::Statistics& after = m_nic[node]->GetStatistics();
    FUZZ_CHECK(after.packetsReceived == before.packetsReceived + 1, "packets received");
    uint64_t malformed = after.malformedPackets - before.malformedPackets;
    FUZZ_CHECK(malformed == (whole ? 1 : 0),
               "packet counted malformed "
                   << malformed << " times, the documentation says " << whole << ": "
                   << Hex(bytes.data(), std::min<size_t>(64, bytes.size())));
    if (whole)
    {
        FUZZ_CHECK(
            after.tlpsFromNetwork == before.tlpsFromNetwork && m_placed[node].size() == placed &&
                m_sent[node] == sent && after.tlpDrops == before.tlpDrops &&
                after.unsupportedRequests == before.unsupportedRequests &&
                after.tunnelTlpsReceived == before.tunnelTlpsReceived &&
                after.grantsSent == before.grantsSent &&
                after.sequenceGaps == before.sequenceGaps &&
                after.duplicatesDropped == before.duplicatesDropped &&
                after.outOfOrder == before.outOfOrder && after.outOfWindow == before.outOfWindow &&
                after.acksReceived == before.acksReceived &&
                after.lateArrivals == before.lateArrivals,
            "a packet counted malformed changed state: sequence gaps "
                << before.sequenceGaps << " -> " << after.sequenceGaps << ", TLPs placed "
                << before.tlpsFromNetwork << " -> " << after.tlpsFromNetwork << ", sent " << sent
                << " -> " << m_sent[node] << ", duplicates " << before.duplicatesDropped << " -> "
                << after.duplicatesDropped << "; packet "
                << Hex(bytes.data(), std::min<size_t>(64, bytes.size())));
        return;
    }
    if (t.kind == TunnelHeader::DATA || t.kind == TunnelHeader::COMPLETION)
    {
        uint64_t accounted = (after.tlpsFromNetwork - before.tlpsFromNetwork) +
                             (after.tlpDrops - before.tlpDrops) +
                             (after.unsupportedRequests - before.unsupportedRequests);
        FUZZ_CHECK(accounted == expected,
                   accounted << " TLPs accounted for, the reference window delivers " << expected
                             << " (placed " << after.tlpsFromNetwork - before.tlpsFromNetwork
                             << ", dropped " << after.tlpDrops - before.tlpDrops << ", UR "
                             << after.unsupportedRequests - before.unsupportedRequests
                             << "); packet "
                             << Hex(bytes.data(), std::min<size_t>(64, bytes.size())));
    }
}

void
Scene::CheckMemory(uint32_t node, const Image& before)
{
    Image after = Snapshot(m_memory[node]);
    static const std::vector<uint8_t> zeros(PAGE, 0);
    for (const auto& page : after)
    {
        auto old = before.find(page.first);
        const std::vector<uint8_t>& was = old == before.end() ? zeros : old->second;
        if (was == page.second)
        {
            continue;
        }
        for (uint64_t i = 0; i < PAGE; ++i)
        {
            if (was[i] == page.second[i])
            {
                continue;
            }
            uint64_t address = page.first + i;
            bool covered = false;
            for (const Placed& p : m_placed[node])
            {
                covered = covered || (address >= p.address && address - p.address < p.span);
            }
            FUZZ_CHECK(covered,
                       "node " << node << " memory at 0x" << std::hex << address << " changed "
                               << +was[i] << " -> " << +page.second[i]
                               << " without a write its NIC placed");
        }
    }
}

void
Scene::Step(uint8_t control, std::vector<uint8_t> payload)
{
    uint32_t node = (control & TO_NODE0) ? 0 : 1;
    if (control & FIX_ECRC)
    {
        TunnelReference t = ReadTunnel(payload);
        uint32_t offset = t.size;
        for (uint16_t i = 0; t.size != 0 && i < t.count; ++i)
        {
            uint32_t length = Be16(&payload[24 + 2 * i]);
            if (offset + length > payload.size())
            {
                break;
            }
            if (length >= 8 && length <= TlpEcrcTrailer::MAX_TLP_SIZE &&
                (payload[offset + 2] & 0x80))
            {
                uint32_t digest = TlpEcrcTrailer::Calculate(&payload[offset], length - 4);
                for (int b = 0; b < 4; ++b)
                {
                    payload[offset + length - 4 + b] = static_cast<uint8_t>(digest >> (8 * b));
                }
            }
            offset += length;
        }
    }
    TunnelReference t = ReadTunnel(payload);
    const TlpExportGrant* g = t.size != 0 && t.kind == TunnelHeader::DATA && t.key == 0
                                  ? m_nic[node]->GetExportTable().Find(t.source, t.window)
                                  : nullptr;
    for (int b = 0; g != nullptr && b < 4; ++b)
    {
        payload[20 + b] = static_cast<uint8_t>(g->key >> (24 - 8 * b)); // the grant's key
    }
    Image before[2] = {Snapshot(m_memory[0]), Snapshot(m_memory[1])};
    m_placed[0].clear();
    m_placed[1].clear();
    Simulator::ScheduleWithContext(node,
                                   Time(0),
                                   &Scene::Inject,
                                   this,
                                   node,
                                   ToPacket(payload.data(), payload.size()));
    Simulator::Stop((control & LONG_STEP) ? MilliSeconds(60) : MicroSeconds(STEP_US));
    Simulator::Run();
    CheckMemory(0, before[0]);
    CheckMemory(1, before[1]);
    if (std::getenv("TLP_FUZZ_VERBOSE") != nullptr)
    {
        Print(std::cerr, control, payload);
    }
}

void
Scene::Print(std::ostream& os, uint8_t control, const std::vector<uint8_t>& payload) const
{
    os << "record: control 0x" << std::hex << +control << std::dec << ", " << payload.size()
       << " bytes: " << Hex(payload.data(), std::min<size_t>(32, payload.size())) << "\n";
    for (uint32_t i = 0; i < 2; ++i)
    {
        const TlpTunnelNetDevice::Statistics& s = m_nic[i]->GetStatistics();
        const TlpCpu::Statistics& c = TlpTunnelHelper::GetCpu(m_hosts.Get(i))->GetStatistics();
        os << "  node " << i << ": received " << s.packetsReceived << " malformed "
           << s.malformedPackets << " tlp-drops " << s.tlpDrops << " placed " << s.tlpsFromNetwork
           << " UR " << s.unsupportedRequests << " sent " << m_sent[i] << " gaps " << s.sequenceGaps
           << " | cpu completions " << c.completions << " done " << c.operationsDone << " errors "
           << c.errors << " unexpected " << c.unexpected << " bytes-read " << c.bytesRead << "\n";
    }
}

void
Scene::Finish()
{
    // Past every completion timeout (50 ms) and every retransmission (RetryLimit
    // timeouts backed off from InitialRto: 65 ms at most), nothing may still travel.
    Simulator::Stop(MilliSeconds(200));
    Simulator::Run();
    uint64_t sent = m_sent[0] + m_sent[1];
    Simulator::Stop(MilliSeconds(1));
    Simulator::Run();
    FUZZ_CHECK(m_sent[0] + m_sent[1] == sent,
               m_sent[0] + m_sent[1] - sent << " packets sent 200 ms after the input");
}

/// The scene of persistent mode; never destroyed (ns-3's statics go first at exit).
Scene* g_persistent = nullptr;

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const bool persistent = std::getenv("TLP_FUZZ_NIC_PERSISTENT") != nullptr;
    uint8_t options = size > 0 ? data[0] : 0;
    std::unique_ptr<Scene> fresh;
    Scene* scene;
    if (persistent)
    {
        if (g_persistent == nullptr)
        {
            g_persistent = new Scene(0);
        }
        scene = g_persistent;
    }
    else
    {
        fresh = std::make_unique<Scene>(options);
        scene = fresh.get();
    }
    size_t offset = 1;
    for (int records = 0; offset + 3 <= size && records < 64; ++records)
    {
        uint8_t control = data[offset];
        size_t length = std::min<size_t>(Be16(data + offset + 1), size - offset - 3);
        offset += 3;
        scene->Step(control, std::vector<uint8_t>(data + offset, data + offset + length));
        offset += length;
    }
    if (!persistent)
    {
        scene->Finish();
    }
    return 0;
}
