/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-tunnel-net-device.h"

#include "tlp-ecrc-trailer.h"
#include "tlp-packer.h"
#include "tlp-write-confirmation.h"

#include "ns3/abort.h"
#include "ns3/boolean.h"
#include "ns3/double.h"
#include "ns3/enum.h"
#include "ns3/integer.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/pointer.h"
#include "ns3/simulator.h"
#include "ns3/uinteger.h"

#include <algorithm>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTunnelNetDevice");

NS_OBJECT_ENSURE_REGISTERED(TlpTunnelNetDevice);

namespace
{

constexpr uint64_t PAGE = 4096;

/// Bytes of memory a request touches, from its address.
uint64_t
RequestSpan(const TlpHeader& h)
{
    if (h.IsAtomic())
    {
        return h.GetKind() == TlpHeader::CAS ? h.GetDataSize() / 2 : h.GetDataSize();
    }
    return uint64_t(h.GetLengthDw()) * 4;
}

/// [address, address + span) lies inside [base, base + size).
bool
Inside(uint64_t address, uint64_t span, uint64_t base, uint64_t size)
{
    return address >= base && span <= size && address - base <= size - span;
}

} // namespace

TypeId
TlpTunnelNetDevice::GetTypeId()
{
    static TypeId tid =
        TypeId("ns3::TlpTunnelNetDevice")
            .SetParent<NetDevice>()
            .SetGroupName("TlpTunnel")
            .AddConstructor<TlpTunnelNetDevice>()
            .AddAttribute("RequesterId",
                          "Bus/device/function of the NIC: Requester ID of its own requests and "
                          "Completer ID of the completions it generates.",
                          UintegerValue(2),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_requesterId),
                          MakeUintegerChecker<uint16_t>())
            .AddAttribute("RxCredits",
                          "TLPs the NIC accepts from its interconnect before it returns credits "
                          "(its receive buffer): a NIC full of TLPs waiting for a grant or for "
                          "room in a retransmission buffer back-pressures the interconnect.",
                          UintegerValue(64),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_rxCredits),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ProcessingDelay",
                          "Time the NIC takes per TLP from its interconnect and per packet "
                          "from the network (lookup, translation, encapsulation or "
                          "extraction): each direction is a stage busy that long per item.",
                          TimeValue(NanoSeconds(100)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_processingDelay),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("GrantRetry",
                          "Time after which an unanswered GRANT_REQUEST is sent again; it "
                          "doubles after each attempt, up to GrantRetryMax.",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_grantRetry),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("GrantRetryMax",
                          "Longest interval between two GRANT_REQUEST packets.",
                          TimeValue(MilliSeconds(20)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_grantRetryMax),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("GrantAttempts",
                          "GRANT_REQUEST packets sent before the receiver is declared "
                          "unreachable and waiting TLPs are answered (UR, or a counted drop).",
                          UintegerValue(10),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_grantAttempts),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ExportBase",
                          "First address of the local memory pool from which regions are "
                          "granted to senders that ask for any region.",
                          UintegerValue(uint64_t(1) << 32),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_exportBase),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("ExportSize",
                          "Bytes of that pool.",
                          UintegerValue(uint64_t(1) << 38),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_exportSize),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("MaxReadRequestSize",
                          "Max_Read_Request_Size of the reads of the NIC's DMA engine, bytes "
                          "(128..4096, a power of two).",
                          UintegerValue(512),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::SetMaxReadRequestSize,
                                               &TlpTunnelNetDevice::GetMaxReadRequestSize),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("MaxPayloadSize",
                          "Max_Payload_Size of the writes the NIC issues, bytes (128..4096, "
                          "a power of two).",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::SetMaxPayloadSize,
                                               &TlpTunnelNetDevice::GetMaxPayloadSize),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("Requester",
                          "The requester engine of the NIC's own reads and writes: its Tags, "
                          "CompletionTimeout and TagQuarantine attributes (its RequesterId "
                          "is the NIC's).",
                          TypeId::ATTR_GET,
                          PointerValue(),
                          MakePointerAccessor(&TlpTunnelNetDevice::GetRequester),
                          MakePointerChecker<TlpRequester>())
            .AddAttribute("DoorbellBase",
                          "First address of the NIC's doorbell BAR (descriptor registers) on "
                          "its interconnect: a multiple of DoorbellSize, outside memory and "
                          "the windows.",
                          UintegerValue(0x00000F0000000000ULL),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_doorbellBase),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("DoorbellSize",
                          "Bytes of the doorbell BAR: a power of two, 4 KiB or more.",
                          UintegerValue(4096),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_doorbellSize),
                          MakeUintegerChecker<uint64_t>())
            .AddAttribute("DoorbellSlots",
                          "Descriptor slots of the doorbell BAR: descriptors that may run at "
                          "once (1..32).",
                          UintegerValue(8),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_doorbellSlots),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("AggregationLimit",
                          "Most TLPs one tunnel packet carries (1: every TLP travels alone). "
                          "TLPs for the same peer and window are gathered until the limit, "
                          "the packet size or AggregationTimeout is reached.",
                          UintegerValue(1),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_aggregationLimit),
                          MakeUintegerChecker<uint32_t>(1, TunnelHeader::MAX_COUNT))
            .AddAttribute("AggregationTimeout",
                          "Longest time a TLP waits for others to share its packet (the NIC "
                          "takes one TLP per ProcessingDelay: 16 need 1.6 us by default).",
                          TimeValue(MicroSeconds(2)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_aggregationTimeout),
                          MakeTimeChecker(Time(0)))
            .AddAttribute("MaxPacketSize",
                          "Largest tunnel packet (header and TLPs), bytes. The NIC sends at "
                          "most the smaller of this and what its transport's path carries "
                          "(the link MTU less the transport's headers: 1500 for Ethernet, "
                          "1472 for UDP on 1500-byte links).",
                          UintegerValue(65507),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_maxPacketSize),
                          MakeUintegerChecker<uint32_t>(64, 65507))
            .AddAttribute("Reliable",
                          "Sequenced, acknowledged delivery with retransmission. Off, packets "
                          "are sent once and the receiver only counts what it missed.",
                          BooleanValue(true),
                          MakeBooleanAccessor(&TlpTunnelNetDevice::m_reliable),
                          MakeBooleanChecker())
            .AddAttribute("Recovery",
                          "How lost packets are recovered: GoBackN (resend from the first "
                          "loss, as RoCE RC) or SelectiveRepeat (resend what SACK shows "
                          "missing, as IRN).",
                          EnumValue(TlpPeerSession::SELECTIVE_REPEAT),
                          MakeEnumAccessor(&TlpTunnelNetDevice::m_recovery),
                          MakeEnumChecker(TlpPeerSession::GO_BACK_N,
                                          "GoBackN",
                                          TlpPeerSession::SELECTIVE_REPEAT,
                                          "SelectiveRepeat"))
            .AddAttribute("RetransmitBuffer",
                          "Packets per peer sent and not yet acknowledged (and the receive "
                          "window): when full, TLPs wait in the NIC and hold interconnect "
                          "credits.",
                          UintegerValue(256),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_bufferPackets),
                          MakeUintegerChecker<uint32_t>(1, 1 << 20))
            .AddAttribute("AckEvery",
                          "In-order packets received before an ACK is sent (if no packet of "
                          "our own carried the acknowledgement first).",
                          UintegerValue(16),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_ackEvery),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("AckDelay",
                          "Longest time a received packet waits for its acknowledgement "
                          "(half of MinRto by default, as RFC 5681's 0.5 s delayed ACK is of "
                          "RFC 6298's 1 s floor).",
                          TimeValue(MicroSeconds(5)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_ackDelay),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("InitialRto",
                          "Retransmission timeout before the first round-trip sample (RFC 6298 "
                          "asks 1 s of the Internet; above the round trip of a loaded fabric, "
                          "queues included).",
                          TimeValue(MilliSeconds(1)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_initialRto),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("MinRto",
                          "Floor of the retransmission timeout (RFC 6298 asks 1 s of the "
                          "Internet; a datacenter fabric's round trips are microseconds).",
                          TimeValue(MicroSeconds(10)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_minRto),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("MaxRto",
                          "Ceiling of the retransmission timeout and its backoff.",
                          TimeValue(MilliSeconds(10)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_maxRto),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("RetryLimit",
                          "Retransmission timeouts in a row without progress after which the "
                          "peer is declared unreachable: its requests end with Completer Abort, "
                          "its writes are reported lost.",
                          UintegerValue(8),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_retryLimit),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("ReorderThreshold",
                          "SelectiveRepeat: a packet is taken for lost once a packet sent that "
                          "many transmissions after it is acknowledged.",
                          UintegerValue(3),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_reorderThreshold),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("SackBlocks",
                          "Most SACK blocks in one ACK packet.",
                          UintegerValue(16),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_sackBlocks),
                          MakeUintegerChecker<uint32_t>(0, TunnelAckHeader::MAX_BLOCKS))
            .AddAttribute("InitialSequence",
                          "First sequence number of every session, both ways; all NICs of a "
                          "fabric use the same (set up out of band, as RoCE's starting PSNs).",
                          UintegerValue(0),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_initialSequence),
                          MakeUintegerChecker<uint32_t>())
            .AddAttribute("ConfirmTimeout",
                          "Receiver-NIC confirmation (claim 18): longest wait for the "
                          "memory's confirmation of a kept write before it is placed again.",
                          TimeValue(MicroSeconds(10)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_keepTimeout),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("ConfirmAttempts",
                          "Placements of a kept write before it is given up.",
                          UintegerValue(8),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_keepAttempts),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("RemapRetry",
                          "Time after which an unacknowledged REMAP is sent again to a sender; "
                          "it doubles after each attempt, up to GrantRetryMax.",
                          TimeValue(MicroSeconds(100)),
                          MakeTimeAccessor(&TlpTunnelNetDevice::m_remapRetry),
                          MakeTimeChecker(NanoSeconds(1)))
            .AddAttribute("RemapAttempts",
                          "REMAP packets sent to a sender before its notice is given up "
                          "(reported by RemapNotice; the switch itself never waits for it).",
                          UintegerValue(10),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_remapAttempts),
                          MakeUintegerChecker<uint32_t>(1))
            .AddAttribute("InterconnectErrorModel",
                          "Loses TLPs between the NIC and its interconnect (towards the "
                          "interconnect), such as a receiver's local loss.",
                          PointerValue(),
                          MakePointerAccessor(&TlpTunnelNetDevice::m_interconnectErrorModel),
                          MakePointerChecker<ErrorModel>())
            .AddAttribute("Mtu",
                          "NetDevice MTU (the NIC carries TLPs, not layer-3 packets).",
                          UintegerValue(1500),
                          MakeUintegerAccessor(&TlpTunnelNetDevice::m_mtu),
                          MakeUintegerChecker<uint16_t>())
            .AddTraceSource("Sniffer",
                            "Every TLP crossing between the interconnect and the NIC, either "
                            "way (raw TLP bytes; what pcap files record).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_snifferTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("TlpTx",
                            "A TLP from the interconnect is on its way to a peer (translated "
                            "when the sender translates).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_tlpTxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("TlpRx",
                            "A TLP from a peer was placed on the interconnect.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_tlpRxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("MacTx",
                            "A tunnel packet was handed to the transport (every kind, "
                            "retransmissions too).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_macTxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("MacRx",
                            "A tunnel packet arrived from the transport.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_macRxTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("Retransmit",
                            "A tunnel packet was sent again.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_retransmitTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("Drop",
                            "A packet or TLP was dropped (see DropReason).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_dropTrace),
                            "ns3::TlpTunnelNetDevice::DropTracedCallback")
            .AddTraceSource("Grant",
                            "A window was granted: (peer node, window ID, region base).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_grantTrace),
                            "ns3::TlpTunnelNetDevice::GrantTracedCallback")
            .AddTraceSource("GrantFailed",
                            "A receiver refused a window's region or never answered: (peer "
                            "node, window ID, reason).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_grantFailedTrace),
                            "ns3::TlpTunnelNetDevice::GrantFailedTracedCallback")
            .AddTraceSource("ExportAnswered",
                            "This NIC answered a GRANT_REQUEST: (peer node, window ID, "
                            "TunnelGrantHeader::Status, region base or 0); a refusal says why "
                            "(NO_ROOM: the export pool is exhausted).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_exportTrace),
                            "ns3::TlpTunnelNetDevice::ExportTracedCallback")
            .AddTraceSource("ExportReleased",
                            "This NIC released a grant (ReleaseExport()): (peer node, window "
                            "ID, GRANTED, region base).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_releaseTrace),
                            "ns3::TlpTunnelNetDevice::ExportTracedCallback")
            .AddTraceSource("PeerUnreachable",
                            "A peer acknowledged nothing for RetryLimit timeouts.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_unreachableTrace),
                            "ns3::TlpTunnelNetDevice::PeerTracedCallback")
            .AddTraceSource("WriteLost",
                            "A posted write will never reach its unreachable peer (or its "
                            "memory, when a kept write was given up): (write, peer).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_writeLostTrace),
                            "ns3::TlpTunnelNetDevice::PeerTlpTracedCallback")
            .AddTraceSource("Confirmation",
                            "The NIC generated a write confirmation.",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_confirmationTrace),
                            "ns3::TlpTunnelNetDevice::PacketTracedCallback")
            .AddTraceSource("Descriptor",
                            "A doorbell descriptor ended or was refused: (slot, status), "
                            "status DONE or an error (TlpDoorbellRegisters::Status).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_descriptorTrace),
                            "ns3::TlpTunnelNetDevice::DescriptorTracedCallback")
            .AddTraceSource("Remap",
                            "Receiver: a memory ID switched to a new range: (memory ID, "
                            "generation, old base, new base).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_remapTrace),
                            "ns3::TlpTunnelNetDevice::RemapTracedCallback")
            .AddTraceSource("RemapNotice",
                            "Receiver: a sender acknowledged a remap (value 1) or never did "
                            "(value 0): (peer, memory ID, generation, value).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_remapNoticeTrace),
                            "ns3::TlpTunnelNetDevice::RemapNoticeTracedCallback")
            .AddTraceSource("Remapped",
                            "Sender: the receiver told of a remap of a memory ID this NIC has a "
                            "window onto: (peer, memory ID, generation, switch sequence: the "
                            "first of this NIC's sequence numbers resolved in the new range).",
                            MakeTraceSourceAccessor(&TlpTunnelNetDevice::m_remappedTrace),
                            "ns3::TlpTunnelNetDevice::RemapNoticeTracedCallback");
    return tid;
}

TlpTunnelNetDevice::TlpTunnelNetDevice()
    : m_ifIndex(0),
      m_mtu(1500),
      m_requesterId(2),
      m_rxCredits(64),
      m_grantAttempts(10),
      m_exportBase(uint64_t(1) << 32),
      m_exportSize(uint64_t(1) << 38),
      m_doorbellBase(0x00000F0000000000ULL),
      m_doorbellSize(4096),
      m_doorbellSlots(8),
      m_aggregationLimit(1),
      m_maxPacketSize(65507),
      m_reliable(true),
      m_recovery(TlpPeerSession::SELECTIVE_REPEAT),
      m_bufferPackets(256),
      m_ackEvery(16),
      m_retryLimit(8),
      m_reorderThreshold(3),
      m_sackBlocks(16),
      m_initialSequence(0),
      m_keepAttempts(8),
      m_remapAttempts(10),
      m_grants(m_windows, m_exports),
      m_requester(CreateObject<TlpRequester>()),
      m_dma(m_windows, m_port)
{
    NS_LOG_FUNCTION(this);
    m_port.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::FromInterconnect, this),
                        MakeCallback(&TlpTunnelNetDevice::Sniff, this),
                        MakeCallback(&TlpTunnelNetDevice::InterconnectLoss, this));
    m_grants.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::SendControl, this),
                          MakeCallback(&TlpTunnelNetDevice::Granted, this),
                          MakeCallback(&TlpTunnelNetDevice::GrantFailed, this),
                          MakeCallback(&TlpTunnelNetDevice::IsLocalMemory, this));
    m_keeper.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::ResendKept, this),
                          MakeCallback(&TlpTunnelNetDevice::KeptWriteLost, this));
    m_doorbell.SetCallbacks(MakeCallback(&TlpNicDma::Check, &m_dma),
                            MakeCallback(&TlpNicDma::Start, &m_dma),
                            MakeCallback(&TlpTunnelNetDevice::DescriptorRefused, this));
    m_dma.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::SendThroughWindow, this),
                       MakeCallback(&TlpTunnelNetDevice::DescriptorEnded, this));
    m_memoryIds.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::SendRemap, this),
                             MakeCallback(&TlpTunnelNetDevice::SwitchSequence, this),
                             MakeCallback(&TlpTunnelNetDevice::RemapNoticeEnded, this));
}

void
TlpTunnelNetDevice::CreateRandom(int64_t stream)
{
    // Nonces and keys: any 32-bit value, from a stream of its own.
    m_random = CreateObject<UniformRandomVariable>();
    m_random->SetAttribute("Stream", IntegerValue(stream));
    m_random->SetAttribute("Min", DoubleValue(0));
    m_random->SetAttribute("Max", DoubleValue(4294967295.0));
    m_grants.SetRandom(m_random);
}

int64_t
TlpTunnelNetDevice::AssignStreams(int64_t stream)
{
    CreateRandom(stream);
    return 1;
}

TlpTunnelNetDevice::~TlpTunnelNetDevice()
{
    NS_LOG_FUNCTION(this);
}

void
TlpTunnelNetDevice::DoDispose()
{
    m_dma.Clear();
    m_requester->Dispose();
    m_doorbell.Clear();
    m_windows.Clear();
    m_exports.Clear();
    m_memoryIds.Clear();
    m_router.Clear();
    m_keeper.Clear();
    for (auto& session : m_sessions)
    {
        session->Dispose();
    }
    m_sessions.clear();
    m_sessionIndex.clear();
    m_scheduler.Clear();
    m_port.Dispose();
    m_interconnectErrorModel = nullptr;
    m_grants.SetRandom(nullptr);
    m_random = nullptr;
    m_transport = nullptr;
    m_node = nullptr;
    NetDevice::DoDispose();
}

void
TlpTunnelNetDevice::DoInitialize()
{
    m_port.SetProcessingDelay(m_processingDelay);
    m_port.SetErrorModel(m_interconnectErrorModel);
    m_exports.SetPool(m_exportBase, m_exportSize);
    m_grants.Configure(m_grantRetry, m_grantRetryMax, m_grantAttempts);
    m_keeper.Configure(m_keepTimeout, m_keepAttempts);
    m_memoryIds.Configure(m_remapRetry, m_grantRetryMax, m_remapAttempts);
    if (m_random == nullptr)
    {
        // Created when the simulation starts, so the stream it takes shifts none of
        // those the scenario's objects took while it was built.
        CreateRandom(-1);
    }
    NetDevice::DoInitialize();
}

void
TlpTunnelNetDevice::Attach(Ptr<PciePort> port)
{
    NS_LOG_FUNCTION(this << port);
    m_port.Attach(port, this, m_requesterId, m_rxCredits, m_processingDelay);
    m_exports.SetPool(m_exportBase, m_exportSize);
    m_doorbell.Configure(m_doorbellBase, m_doorbellSize, m_doorbellSlots);
    NS_ABORT_MSG_IF(port->IsHostMemory(m_doorbellBase, 1) ||
                        port->IsHostMemory(m_doorbellBase + m_doorbellSize - 1, 1),
                    "TlpTunnelNetDevice: DoorbellBase=0x" << std::hex << m_doorbellBase
                                                          << " DoorbellSize=0x" << m_doorbellSize
                                                          << " overlaps the node's memory");
    m_port.ClaimRange(m_doorbellBase, m_doorbellSize); // stops on an overlap with a window
    m_requester->SetRequesterId(m_requesterId);
    m_requester->SetSendCallback(MakeCallback(&TlpNicDma::Route, &m_dma));
    m_requester->SetPostedPassing(true); // data writes never wait behind reads
    m_dma.Configure(m_requester);
}

void
TlpTunnelNetDevice::SetTransport(Ptr<TlpTransport> transport)
{
    NS_LOG_FUNCTION(this << transport);
    m_transport = transport;
    transport->SetCallbacks(MakeCallback(&TlpTunnelNetDevice::ReceiveFromNetwork, this),
                            MakeCallback(&TlpTransmitScheduler::Run, &m_scheduler));
    m_scheduler.SetCallbacks(MakeCallback(&TlpTunnelNetDevice::SessionHasWork, this),
                             MakeCallback(&TlpTunnelNetDevice::SessionCanSend, this),
                             MakeCallback(&TlpTunnelNetDevice::SessionSendOne, this));
}

Ptr<TlpTransport>
TlpTunnelNetDevice::GetTransport() const
{
    return m_transport;
}

uint32_t
TlpTunnelNetDevice::GetMaxPacketSize() const
{
    uint32_t size = m_maxPacketSize;
    if (m_transport != nullptr)
    {
        size = std::min(size, m_transport->GetMaxPacketSize());
    }
    return size;
}

uint16_t
TlpTunnelNetDevice::AddWindow(uint64_t base,
                              uint64_t size,
                              uint32_t peer,
                              uint64_t regionBase,
                              TlpWindow::TranslateAt translateAt,
                              TlpWindow::Confirm confirm)
{
    NS_LOG_FUNCTION(this << base << size << peer << regionBase);
    NS_ABORT_MSG_IF(!m_port.IsAttached() || m_transport == nullptr || m_node == nullptr,
                    "TlpTunnelNetDevice: AddWindow before Attach() and SetTransport()");
    NS_ABORT_MSG_IF(base % PAGE != 0 || size % PAGE != 0 || size == 0,
                    "TlpTunnelNetDevice: window base 0x" << std::hex << base << " and size 0x"
                                                         << size
                                                         << " must be non-zero multiples of 4 KiB");
    NS_ABORT_MSG_IF(regionBase != TunnelGrantHeader::ANY_BASE && regionBase % PAGE != 0,
                    "TlpTunnelNetDevice: region base 0x" << std::hex << regionBase
                                                         << " must be a multiple of 4 KiB");
    NS_ABORT_MSG_IF(peer == m_node->GetId(),
                    "TlpTunnelNetDevice: window at 0x"
                        << std::hex << base << " maps to its own node " << std::dec << peer);
    NS_ABORT_MSG_IF(m_transport->GetDirectory() == nullptr ||
                        !m_transport->GetDirectory()->Contains(peer),
                    "TlpTunnelNetDevice: window at 0x"
                        << std::hex << base << " maps to node " << std::dec << peer
                        << ", which does not exist or has no NIC in this fabric");
    NS_ABORT_MSG_IF(confirm > TlpWindow::CONFIRM_RECEIVER_NIC,
                    "TlpTunnelNetDevice: window at 0x" << std::hex << base << std::dec
                                                       << ": confirm=" << +confirm
                                                       << " is not a TlpWindow::Confirm");
    NS_ABORT_MSG_IF(confirm == TlpWindow::CONFIRM_SENDER_NIC && !m_reliable,
                    "TlpTunnelNetDevice: window at 0x"
                        << std::hex << base
                        << " confirms writes at the sending NIC, which needs the copy and "
                           "timer of reliable delivery: attribute Reliable=false");
    TlpWindow w;
    w.base = base;
    w.size = size;
    w.translateAt = translateAt;
    w.confirm = confirm;
    TlpWindowReceiver r;
    r.peer = peer;
    r.requestedBase = regionBase;
    w.receivers.push_back(r);
    uint16_t id = m_windows.Add(w);
    m_port.ClaimRange(base, size);
    Simulator::ScheduleWithContext(m_node->GetId(),
                                   Time(0),
                                   &TlpGrantAgent::Request,
                                   &m_grants,
                                   id);
    return id;
}

uint16_t
TlpTunnelNetDevice::AddMemoryIdWindow(uint64_t base,
                                      uint64_t size,
                                      uint32_t peer,
                                      uint16_t memoryId)
{
    NS_LOG_FUNCTION(this << base << size << peer << memoryId);
    NS_ABORT_MSG_IF(m_node != nullptr && FindMemoryIdWindow(peer, memoryId) != nullptr,
                    "TlpTunnelNetDevice: a window onto memory ID " << memoryId << " of node "
                                                                   << peer << " exists already");
    uint16_t id = AddWindow(base, size, peer);
    TlpWindow* w = m_windows.Get(id);
    w->byMemoryId = true;
    w->memoryId = memoryId;
    return id;
}

void
TlpTunnelNetDevice::RegisterMemoryId(uint16_t memoryId, uint64_t base, uint64_t size)
{
    NS_LOG_FUNCTION(this << memoryId << base << size);
    NS_ABORT_MSG_IF(!m_port.IsAttached(), "TlpTunnelNetDevice: RegisterMemoryId before Attach()");
    std::string why;
    NS_ABORT_MSG_IF(!m_memoryIds.Register(memoryId, base, size, why),
                    "TlpTunnelNetDevice: RegisterMemoryId(" << memoryId << "): " << why);
    NS_ABORT_MSG_IF(!IsLocalMemory(base, size),
                    "TlpTunnelNetDevice: RegisterMemoryId("
                        << memoryId << "): range 0x" << std::hex << base << " size 0x" << size
                        << " is not memory of node " << std::dec << m_node->GetId());
}

void
TlpTunnelNetDevice::RemapMemoryId(uint16_t memoryId, uint64_t newBase)
{
    NS_LOG_FUNCTION(this << memoryId << newBase);
    NS_ABORT_MSG_IF(m_node == nullptr, "TlpTunnelNetDevice: RemapMemoryId before SetNode()");
    // An event of its own: never between two TLPs of one packet.
    Simulator::ScheduleWithContext(m_node->GetId(),
                                   Time(0),
                                   &TlpTunnelNetDevice::DoRemap,
                                   this,
                                   memoryId,
                                   newBase);
}

void
TlpTunnelNetDevice::DoRemap(uint16_t memoryId, uint64_t newBase)
{
    const TlpMemoryIdRegion* r = m_memoryIds.Find(memoryId);
    NS_ABORT_MSG_IF(r != nullptr && !IsLocalMemory(newBase, r->size),
                    "TlpTunnelNetDevice: RemapMemoryId(" << memoryId << ", 0x" << std::hex
                                                         << newBase << "): not memory of node "
                                                         << std::dec << m_node->GetId());
    uint64_t oldBase = r != nullptr ? r->base : 0;
    std::string why;
    NS_ABORT_MSG_IF(!m_memoryIds.Move(memoryId, newBase, why),
                    "TlpTunnelNetDevice: RemapMemoryId(" << memoryId << "): " << why);
    r = m_memoryIds.Find(memoryId);
    m_remapTrace(memoryId, r->generation, oldBase, newBase);
}

const TlpMemoryRegistry&
TlpTunnelNetDevice::GetMemoryRegistry() const
{
    return m_memoryIds;
}

TlpWindow*
TlpTunnelNetDevice::FindMemoryIdWindow(uint32_t peer, uint16_t memoryId)
{
    for (uint16_t id = 0; id < m_windows.GetN(); ++id)
    {
        TlpWindow* w = m_windows.Get(id);
        if (w != nullptr && w->byMemoryId && w->memoryId == memoryId && w->GetPeer() == peer)
        {
            return w;
        }
    }
    return nullptr;
}

void
TlpTunnelNetDevice::RemoveWindow(uint16_t id)
{
    NS_LOG_FUNCTION(this << id);
    TlpWindow* w = m_windows.Get(id);
    NS_ABORT_MSG_IF(w == nullptr, "TlpTunnelNetDevice: RemoveWindow(" << id << "): no such window");
    std::vector<uint32_t> peers;
    for (const TlpWindowReceiver& r : w->receivers)
    {
        peers.push_back(r.peer);
    }
    m_port.ReleaseRange(w->base, w->size);
    m_windows.Remove(id);
    for (uint32_t peer : peers)
    {
        uint32_t index = FindSession(peer);
        if (index != UINT32_MAX)
        {
            m_sessions[index]->Pump(); // TLPs still waiting for it are answered now
        }
    }
}

const TlpWindow*
TlpTunnelNetDevice::GetWindow(uint16_t id) const
{
    return m_windows.Get(id);
}

uint16_t
TlpTunnelNetDevice::GetNWindows() const
{
    return m_windows.GetN();
}

const TlpExportTable&
TlpTunnelNetDevice::GetExportTable() const
{
    return m_exports;
}

uint16_t
TlpTunnelNetDevice::GetRequesterId() const
{
    return m_requesterId;
}

Ptr<PciePort>
TlpTunnelNetDevice::GetPort() const
{
    return m_port.GetPort();
}

const TlpTunnelNetDevice::Statistics&
TlpTunnelNetDevice::GetStatistics() const
{
    return m_stats;
}

const TlpPeerSession*
TlpTunnelNetDevice::GetSession(uint32_t peer) const
{
    uint32_t index = FindSession(peer);
    return index == UINT32_MAX ? nullptr : m_sessions[index].get();
}

void
TlpTunnelNetDevice::Drop(Ptr<const Packet> packet, DropReason reason)
{
    NS_LOG_LOGIC("drop: " << DropReasonToString(reason));
    switch (reason)
    {
    case DROP_MALFORMED_PACKET:
    case DROP_MALFORMED_TLP:
    case DROP_ECRC:
    case DROP_UNSUPPORTED:
    case DROP_UNKNOWN_SOURCE:
    case DROP_SPOOFED_SOURCE:
    case DROP_BAD_ACK:
        m_stats.malformedPackets++;
        break;
    case DROP_TRANSPORT:
        m_stats.transportRefusals++;
        break;
    case DROP_DUPLICATE:
    case DROP_OUT_OF_ORDER:
    case DROP_OUT_OF_WINDOW:
        break; // counted by the session
    case DROP_INTERCONNECT:
        m_stats.interconnectLosses++;
        break;
    default:
        m_stats.tlpDrops++;
        break;
    }
    m_dropTrace(packet, reason);
}

std::string
TlpTunnelNetDevice::DropReasonToString(uint8_t reason)
{
    switch (reason)
    {
    case DROP_MALFORMED_PACKET:
        return "malformed packet";
    case DROP_MALFORMED_TLP:
        return "malformed TLP";
    case DROP_ECRC:
        return "ECRC mismatch";
    case DROP_NO_REGION:
        return "outside the regions granted to the sender";
    case DROP_UNKNOWN_REQUESTER:
        return "completion for no request outstanding at its source";
    case DROP_REFUSED:
        return "window refused";
    case DROP_TRANSPORT:
        return "transport refused the packet";
    case DROP_UNKNOWN_SOURCE:
        return "unknown source node";
    case DROP_UNSUPPORTED:
        return "unsupported feature";
    case DROP_UNEXPECTED:
        return "unexpected grant or confirmation";
    case DROP_BAD_ACK:
        return "acknowledges what was never sent";
    case DROP_DUPLICATE:
        return "duplicate";
    case DROP_OUT_OF_ORDER:
        return "out of order";
    case DROP_OUT_OF_WINDOW:
        return "beyond the receive window";
    case DROP_UNREACHABLE:
        return "peer unreachable";
    case DROP_INTERCONNECT:
        return "lost towards the interconnect";
    case DROP_NO_WINDOW:
        return "no window claims the address";
    case DROP_SPOOFED_SOURCE:
        return "spoofed source";
    case DROP_BAD_KEY:
        return "wrong region key";
    case DROP_NO_REGISTER:
        return "doorbell write past the registers";
    case DROP_UNKNOWN_MEMORY_ID:
        return "unknown memory ID";
    case DROP_OFFSET_RANGE:
        return "offset past the memory ID's range";
    default:
        return "unknown reason";
    }
}

// ------------------------------------------------------------------ sessions

TlpPeerSession::Config
TlpTunnelNetDevice::SessionConfig() const
{
    TlpPeerSession::Config c;
    c.self = m_node->GetId();
    c.reliable = m_reliable;
    c.recovery = m_recovery;
    c.bufferPackets = m_bufferPackets;
    c.ackEvery = m_ackEvery;
    c.ackDelay = m_ackDelay;
    c.initialRto = m_initialRto;
    c.minRto = m_minRto;
    c.maxRto = std::max(m_maxRto, m_minRto);
    c.retryLimit = m_retryLimit;
    c.reorderThreshold = m_reorderThreshold;
    c.sackBlocks = m_sackBlocks;
    c.initialSequence = m_initialSequence;
    c.packer.SetLimits(m_aggregationLimit, GetMaxPacketSize());
    c.aggregationTimeout = m_aggregationTimeout;
    return c;
}

uint32_t
TlpTunnelNetDevice::FindSession(uint32_t peer) const
{
    auto it = m_sessionIndex.find(peer);
    return it == m_sessionIndex.end() ? UINT32_MAX : it->second;
}

TlpPeerSession&
TlpTunnelNetDevice::Session(uint32_t peer)
{
    uint32_t index = FindSession(peer);
    if (index == UINT32_MAX)
    {
        index = static_cast<uint32_t>(m_sessions.size());
        TlpPeerSession::Host* host = this;
        m_sessions.push_back(
            std::make_unique<TlpPeerSession>(peer, SessionConfig(), host, &m_stats));
        m_sessionIndex[peer] = index;
    }
    return *m_sessions[index];
}

bool
TlpTunnelNetDevice::SessionHasWork(uint32_t index)
{
    return m_sessions[index]->HasWork();
}

bool
TlpTunnelNetDevice::SessionCanSend(uint32_t index)
{
    return m_transport->CanSend(m_sessions[index]->GetPeer());
}

bool
TlpTunnelNetDevice::SessionSendOne(uint32_t index)
{
    return m_sessions[index]->SendOne();
}

void
TlpTunnelNetDevice::Activate(uint32_t peer)
{
    if (m_transport == nullptr)
    {
        return;
    }
    m_scheduler.Activate(FindSession(peer));
}

void
TlpTunnelNetDevice::ReturnCredits(uint32_t credits)
{
    m_port.ReturnCredits(credits);
}

void
TlpTunnelNetDevice::Transmit(uint32_t peer, Ptr<Packet> packet, bool retransmission)
{
    // TLPs come from this node's own requesters and memory (TlpTunnelHelper checks
    // their Max_Payload_Size against the path when it binds the NICs), so a packet too
    // large for the path is a configuration error, not traffic to drop.
    NS_ABORT_MSG_IF(packet->GetSize() > GetMaxPacketSize(),
                    "TlpTunnelNetDevice (node "
                        << m_node->GetId() << "): a tunnel packet of " << packet->GetSize()
                        << " bytes exceeds the largest the path carries: MaxPacketSize="
                        << m_maxPacketSize << ", " << m_transport->GetInstanceTypeId().GetName()
                        << " " << m_transport->GetMaxPacketSize()
                        << " (the link's Mtu less its headers); lower MaxPayloadSize of the CPU "
                           "and memory or raise the links' Mtu (jumbo frames)");
    m_macTxTrace(packet);
    if (retransmission)
    {
        m_retransmitTrace(packet);
    }
    uint8_t first[4] = {0, 0, 0, 0};
    packet->CopyData(first, 4);
    uint32_t tlps = uint32_t(first[2]) << 8 | first[3]; // the header's count
    if (m_transport->Send(packet, peer))
    {
        m_stats.packetsSent++;
        m_stats.tunnelTlpsSent += tlps;
    }
    else
    {
        Drop(packet, DROP_TRANSPORT); // a loss the reliable session recovers from
    }
}

void
TlpTunnelNetDevice::Enqueue(uint32_t peer,
                            Ptr<Packet> tlp,
                            const TlpHeader& h,
                            TunnelHeader::Kind kind,
                            uint16_t window,
                            uint8_t flags,
                            uint32_t credits)
{
    TlpPeerSession::Item item;
    item.tlp = tlp;
    item.header = h;
    item.kind = kind;
    item.window = window;
    item.flags = flags;
    item.credits = credits;
    Session(peer).Enqueue(std::move(item));
}

TlpPeerSession::Readiness
TlpTunnelNetDevice::Prepare(uint32_t peer, TlpPeerSession::Item& item)
{
    if (item.kind == TunnelHeader::COMPLETION)
    {
        return TlpPeerSession::READY;
    }
    const TlpWindow* w = m_windows.Get(item.window);
    const TlpWindowReceiver* r = w != nullptr ? w->FindReceiver(peer) : nullptr;
    if (r == nullptr || r->state == TlpWindowReceiver::REFUSED ||
        r->state == TlpWindowReceiver::FAILED)
    {
        item.reason = DROP_REFUSED;
        return TlpPeerSession::REFUSE;
    }
    if (r->state == TlpWindowReceiver::REQUESTING)
    {
        return TlpPeerSession::WAIT;
    }
    item.key = r->key;
    TlpHeader& h = item.header;
    uint64_t windowAddress = h.GetAddress();
    uint64_t target = w->Translate(windowAddress, *r);
    TlpWindow::TranslateAt at = w->translateAt;
    TlpWindow::Confirm confirm = w->confirm;
    bool byMemoryId = w->byMemoryId;
    uint16_t memoryId = w->memoryId;
    uint64_t offset = windowAddress - w->base;
    uint16_t nic = m_requesterId;
    if (TlpWriteConfirmation::IsRequested(h))
    {
        if (confirm == TlpWindow::CONFIRM_NONE || confirm == TlpWindow::CONFIRM_SENDER_NIC)
        {
            // Nobody beyond this NIC answers the request.
            item.tlp = TlpWriteConfirmation::Rewrite(item.tlp, h, false);
            TlpWriteConfirmation::SetRequested(h, false);
        }
        if (confirm == TlpWindow::CONFIRM_SENDER_NIC)
        {
            // Claims 12-13: confirmed now; the retransmission buffer keeps the copy and
            // the timer.
            Ptr<Packet> c = TlpWriteConfirmation::Confirm(item.header, nic);
            m_stats.confirmationsSent++;
            m_stats.confirmationsPlaced++;
            m_port.SendGenerated(c);
            m_confirmationTrace(c); // may run trace sinks; w and r are not used after
        }
        else if (confirm != TlpWindow::CONFIRM_NONE)
        {
            m_router.OutboundWrite(peer, item.header.GetRequesterId());
        }
    }
    if (byMemoryId)
    {
        // Claim 35: the memory ID and the offset travel instead of an address.
        item.tlp = Readdress(item.tlp, item.header, offset);
        item.header.SetAddress(offset);
        item.window = memoryId;
        item.flags |= TunnelHeader::FLAG_MEMORY_ID;
    }
    else if (at == TlpWindow::SENDER)
    {
        item.tlp = Readdress(item.tlp, item.header, target);
        item.header.SetAddress(target);
        item.flags |= TunnelHeader::FLAG_TRANSLATED;
    }
    if (!item.header.IsPosted())
    {
        m_router.Outbound(peer, item.header);
    }
    m_stats.tlpsToNetwork++;
    m_tlpTxTrace(item.tlp);
    return TlpPeerSession::READY;
}

void
TlpTunnelNetDevice::Abandon(uint32_t peer,
                            std::vector<TlpPeerSession::Item>& items,
                            bool unreachable)
{
    uint32_t credits = 0;
    for (const TlpPeerSession::Item& item : items)
    {
        credits += item.credits;
    }
    m_port.ReturnCredits(credits);
    for (TlpPeerSession::Item& item : items)
    {
        if (unreachable)
        {
            AnswerUnreachable(item.tlp, item.header, peer);
        }
        else
        {
            Refuse(item.tlp, static_cast<DropReason>(item.reason), UINT32_MAX);
        }
    }
}

void
TlpTunnelNetDevice::AbandonPackets(uint32_t peer, std::vector<Ptr<Packet>>& packets)
{
    for (Ptr<Packet>& packet : packets)
    {
        TlpUnpacker u;
        if (!u.Parse(packet))
        {
            continue; // our own packets always parse
        }
        for (uint16_t i = 0; i < u.GetNTlps(); ++i)
        {
            AnswerUnreachable(u.GetTlpPacket(i), u.GetTlp(i).header, peer);
        }
    }
}

void
TlpTunnelNetDevice::Unreachable(uint32_t peer)
{
    m_unreachableTrace(peer);
    // Requests the peer acknowledged but never completed.
    for (const TlpHeader& request : m_router.TakeOutbound(peer))
    {
        CompleteLocally(request, TlpHeader::CA);
        m_stats.requestsAborted++;
    }
}

void
TlpTunnelNetDevice::AnswerUnreachable(Ptr<const Packet> tlp, const TlpHeader& h, uint32_t peer)
{
    if (h.IsCompletion() || TlpWriteConfirmation::IsConfirmation(h))
    {
        Drop(tlp, DROP_UNREACHABLE);
        return;
    }
    if (h.IsPosted())
    {
        m_stats.writesLost++;
        m_writeLostTrace(tlp, peer);
        return;
    }
    // Answered once: forget its route (prepared requests have one).
    m_router.ForgetOutbound(peer, h);
    CompleteLocally(h, TlpHeader::CA);
    m_stats.requestsAborted++;
}

void
TlpTunnelNetDevice::CompleteLocally(const TlpHeader& request, TlpHeader::CompletionStatus status)
{
    TlpHeader cpl = TlpHeader::MakeCompletionFor(request, status, m_requesterId);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(cpl);
    if (request.GetRequesterId() == m_requesterId)
    {
        m_requester->Receive(reply); // one of our own reads
        return;
    }
    m_port.SendGenerated(reply);
}

void
TlpTunnelNetDevice::Deliver(uint32_t peer, Ptr<Packet> packet)
{
    TlpUnpacker u;
    if (u.Parse(packet)) // it parsed when it arrived
    {
        HandleTlps(peer, u, m_port.ProcessPacket());
    }
}

// ---------------------------------------------------------- interconnect side

void
TlpTunnelNetDevice::Sniff(Ptr<const Packet> tlp)
{
    m_stats.tlpsCrossed++;
    m_snifferTrace(tlp);
}

void
TlpTunnelNetDevice::InterconnectLoss(Ptr<const Packet> tlp)
{
    Drop(tlp, DROP_INTERCONNECT);
}

void
TlpTunnelNetDevice::FromInterconnect(Ptr<Packet> tlp, const TlpHeader& h)
{
    NS_LOG_FUNCTION(this << tlp);
    if (h.HasDigest() && !TlpEcrcTrailer::Verify(tlp))
    {
        // Never launder a damaged TLP by recomputing its ECRC after translation.
        m_port.ReturnCredits(1);
        Drop(tlp, DROP_ECRC);
        if (h.IsRequest() && !h.IsPosted())
        {
            CompleteLocally(h, TlpHeader::UR);
            m_stats.unsupportedRequests++;
        }
        return;
    }
    if (h.IsCompletion())
    {
        if (h.GetRequesterId() == m_requesterId)
        {
            // A completion for one of our own reads from this node (a UR of the switch).
            m_port.ReturnCredits(1);
            if (m_requester->Receive(tlp) == TlpRequestTracker::NOT_OURS)
            {
                Drop(tlp, DROP_UNKNOWN_REQUESTER);
            }
            return;
        }
        uint32_t peer;
        if (!m_router.RouteCompletion(h, peer))
        {
            m_port.ReturnCredits(1);
            Drop(tlp, DROP_UNKNOWN_REQUESTER);
            return;
        }
        Enqueue(peer, tlp, h, TunnelHeader::COMPLETION, 0, 0, 1);
        return;
    }
    if (TlpWriteConfirmation::IsConfirmation(h))
    {
        ConfirmationFromInterconnect(tlp, h);
        return;
    }
    if (h.HasMemoryAddress() && m_doorbell.Contains(h.GetAddress()))
    {
        m_port.ReturnCredits(1);
        DoorbellAccess(tlp, h);
        return;
    }
    TlpWindow* w = h.HasMemoryAddress() ? m_windows.Find(h.GetAddress()) : nullptr;
    if (w == nullptr || !w->Contains(h.GetAddress(), RequestSpan(h)))
    {
        m_port.ReturnCredits(1);
        Refuse(tlp, w == nullptr ? DROP_NO_WINDOW : DROP_REFUSED, UINT32_MAX);
        return;
    }
    Enqueue(w->GetPeer(), tlp, h, TunnelHeader::DATA, w->id, 0, 1);
}

void
TlpTunnelNetDevice::ConfirmationFromInterconnect(Ptr<Packet> tlp, const TlpHeader& h)
{
    m_port.ReturnCredits(1); // confirmations are small and few: forwarded without credit
    uint16_t writer;
    uint64_t address;
    uint32_t bytes;
    if (!TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes))
    {
        Drop(tlp, DROP_MALFORMED_TLP);
        return;
    }
    if (m_keeper.Confirm(writer, address, bytes))
    {
        return; // a write this NIC confirmed already reached memory (claim 18)
    }
    uint32_t peer;
    const TlpExportGrant* g =
        m_router.RouteConfirmation(writer, peer) ? m_exports.FindByAddress(peer, address) : nullptr;
    if (g == nullptr)
    {
        Drop(tlp, DROP_UNKNOWN_REQUESTER);
        return;
    }
    uint8_t flags = 0;
    if (g->translateHere)
    {
        // Claim 16: back to the sender's window address at the receiving NIC.
        const TlpExportRegion& region = m_exports.GetRegion(g->region);
        tlp = TlpWriteConfirmation::Readdress(tlp, g->windowBase + (address - region.base));
        flags = TunnelHeader::FLAG_TRANSLATED;
    }
    TlpHeader ch;
    tlp->PeekHeader(ch);
    Enqueue(peer, tlp, ch, TunnelHeader::COMPLETION, g->window, flags, 0);
}

// ------------------------------------------------------------------ grants

void
TlpTunnelNetDevice::SendControl(uint32_t peer,
                                TunnelHeader::Kind kind,
                                uint16_t window,
                                uint32_t nonce,
                                const TunnelGrantHeader& body)
{
    uint8_t flags = 0;
    if (kind == TunnelHeader::GRANT)
    {
        m_stats.grantsSent++;
    }
    else
    {
        m_stats.grantRequests++;
        const TlpWindow* w = m_windows.Get(window);
        if (w != nullptr && w->byMemoryId)
        {
            // Contract of the memory-ID grant: the memory ID in the window field.
            window = w->memoryId;
            flags = TunnelHeader::FLAG_MEMORY_ID;
        }
    }
    QueueControl(peer, kind, flags, window, nonce, body);
}

void
TlpTunnelNetDevice::QueueControl(uint32_t peer,
                                 TunnelHeader::Kind kind,
                                 uint8_t flags,
                                 uint16_t window,
                                 uint32_t sequence,
                                 const Header& body)
{
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(body);
    TunnelHeader th;
    th.SetKind(kind);
    th.SetFlags(flags);
    th.SetWindow(window);
    th.SetSource(m_node->GetId());
    th.SetSequence(sequence);
    p->AddHeader(th);
    Session(peer).EnqueueControl(p);
}

void
TlpTunnelNetDevice::ReceiveMemoryIdControl(uint32_t source,
                                           Ptr<Packet> packet,
                                           const TlpUnpacker& u)
{
    const TunnelHeader& th = u.GetHeader();
    uint16_t memoryId = th.GetWindow();
    switch (th.GetKind())
    {
    case TunnelHeader::GRANT_REQUEST: {
        // Receiver: grant the memory ID, never disclosing where its range is.
        TunnelGrantHeader reply = u.GetGrant();
        uint32_t key = 0;
        reply.status = m_memoryIds.Grant(source, memoryId, u.GetGrant(), m_grants.Draw(), key);
        reply.regionBase = TunnelGrantHeader::ANY_BASE;
        reply.key = reply.status == TunnelGrantHeader::GRANTED ? key : 0;
        if (reply.status != TunnelGrantHeader::GRANTED)
        {
            NS_LOG_WARN("refusing memory ID " << memoryId << " to node " << source << ": "
                                              << TunnelGrantHeader::StatusToString(reply.status));
        }
        m_stats.grantsSent++;
        QueueControl(source,
                     TunnelHeader::GRANT,
                     TunnelHeader::FLAG_MEMORY_ID,
                     memoryId,
                     th.GetSequence(),
                     reply);
        return;
    }
    case TunnelHeader::GRANT: {
        // Sender: the answer for the window onto (source, memory ID).
        TlpWindow* w = FindMemoryIdWindow(source, memoryId);
        TunnelHeader byWindow = th;
        if (w != nullptr)
        {
            byWindow.SetWindow(w->id);
        }
        if (w == nullptr ||
            m_grants.HandleGrant(source, byWindow, u.GetGrant()) == TlpGrantAgent::UNEXPECTED)
        {
            Drop(packet, DROP_UNEXPECTED);
        }
        return;
    }
    case TunnelHeader::REMAP: {
        // Sender: only the node that granted the window may move it.
        const TunnelRemapHeader& body = u.GetRemap();
        TlpWindow* w = FindMemoryIdWindow(source, memoryId);
        TlpWindowReceiver* r = w != nullptr ? w->FindReceiver(source) : nullptr;
        if (r == nullptr || r->state != TlpWindowReceiver::GRANTED)
        {
            Drop(packet, DROP_UNEXPECTED);
            return;
        }
        bool fresh = body.generation > r->remapGen;
        if (fresh)
        {
            r->remapGen = body.generation;
            r->switchSeq = body.switchSequence;
        }
        // Acknowledged every time: the receiver resends until it hears one.
        m_stats.remapAcksSent++;
        QueueControl(source, TunnelHeader::REMAP_ACK, 0, memoryId, body.generation, body);
        if (fresh)
        {
            m_remappedTrace(source, memoryId, body.generation, body.switchSequence);
        }
        return;
    }
    case TunnelHeader::REMAP_ACK:
        if (!m_memoryIds.HandleAck(source, u.GetRemap()))
        {
            Drop(packet, DROP_UNEXPECTED);
        }
        return;
    default:
        return;
    }
}

void
TlpTunnelNetDevice::SendRemap(uint32_t peer, TunnelHeader::Kind kind, const TunnelRemapHeader& body)
{
    m_stats.remapsSent++;
    QueueControl(peer, kind, 0, body.memoryId, body.generation, body);
}

uint32_t
TlpTunnelNetDevice::SwitchSequence(uint32_t peer)
{
    uint32_t index = FindSession(peer);
    return index == UINT32_MAX ? m_initialSequence : m_sessions[index]->GetReceiveNext();
}

void
TlpTunnelNetDevice::RemapNoticeEnded(uint32_t peer,
                                     const TunnelRemapHeader& body,
                                     bool acknowledged)
{
    if (acknowledged)
    {
        m_stats.remapNoticesAcked++;
    }
    else
    {
        m_stats.remapNoticesFailed++;
    }
    m_remapNoticeTrace(peer, body.memoryId, body.generation, acknowledged ? 1 : 0);
}

void
TlpTunnelNetDevice::Granted(uint16_t window, uint32_t peer, uint64_t regionBase)
{
    m_grantTrace(peer, window, regionBase); // may change the tables
    Session(peer).Pump();
}

void
TlpTunnelNetDevice::GrantFailed(uint16_t window, uint32_t peer, uint8_t reason)
{
    m_stats.grantFailures++;
    m_grantFailedTrace(peer, window, reason); // may change the tables
    Session(peer).Pump();                     // waiting TLPs are answered now
}

bool
TlpTunnelNetDevice::ReleaseExport(uint32_t peer, uint16_t window)
{
    const TlpExportGrant* g = m_exports.Find(peer, window);
    if (g == nullptr)
    {
        return false;
    }
    uint64_t base = m_exports.GetRegion(g->region).base;
    m_exports.Release(peer, window);
    m_stats.exportsReleased++;
    m_releaseTrace(peer, window, TunnelGrantHeader::GRANTED, base);
    return true;
}

bool
TlpTunnelNetDevice::IsLocalMemory(uint64_t base, uint64_t size)
{
    return m_port.IsLocalTarget(base, size);
}

// ------------------------------------------------------------ network side

void
TlpTunnelNetDevice::ReceiveFromNetwork(Ptr<Packet> packet, const Address& from)
{
    NS_LOG_FUNCTION(this << packet);
    m_macRxTrace(packet);
    m_stats.packetsReceived++;
    // Everything is checked before anything acts on the packet.
    TlpUnpacker u;
    if (!u.Parse(packet))
    {
        NS_LOG_LOGIC("dropped: " << TlpUnpacker::ErrorToString(u.GetError()));
        static const DropReason reasons[] = {DROP_MALFORMED_PACKET,
                                             DROP_MALFORMED_PACKET,
                                             DROP_UNSUPPORTED,
                                             DROP_MALFORMED_PACKET,
                                             DROP_MALFORMED_TLP,
                                             DROP_ECRC,
                                             DROP_MALFORMED_TLP,
                                             DROP_MALFORMED_PACKET};
        Drop(packet, reasons[u.GetError()]);
        return;
    }
    const TunnelHeader& th = u.GetHeader();
    uint32_t source = th.GetSource();
    if (source == m_node->GetId() || !m_transport->GetDirectory()->Contains(source))
    {
        Drop(packet, DROP_UNKNOWN_SOURCE);
        return;
    }
    if (!m_transport->IsFrom(source, from))
    {
        // The source field names a node the packet did not come from.
        m_stats.spoofedPackets++;
        Drop(packet, DROP_SPOOFED_SOURCE);
        return;
    }
    if ((th.GetFlags() & TunnelHeader::FLAG_MEMORY_ID && th.GetKind() != TunnelHeader::DATA) ||
        th.GetKind() == TunnelHeader::REMAP || th.GetKind() == TunnelHeader::REMAP_ACK)
    {
        ReceiveMemoryIdControl(source, packet, u);
        return;
    }
    switch (th.GetKind())
    {
    case TunnelHeader::GRANT_REQUEST: {
        uint8_t status = m_grants.HandleRequest(source, th, u.GetGrant());
        const TlpExportGrant* g = m_exports.Find(source, th.GetWindow());
        uint64_t base = 0;
        if (status == TunnelGrantHeader::GRANTED)
        {
            m_stats.exportsGranted++;
            base = m_exports.GetRegion(g->region).base;
        }
        else
        {
            m_stats.exportsRefused++;
        }
        m_exportTrace(source, th.GetWindow(), status, base);
        return;
    }
    case TunnelHeader::GRANT:
        if (m_grants.HandleGrant(source, th, u.GetGrant()) == TlpGrantAgent::UNEXPECTED)
        {
            Drop(packet, DROP_UNEXPECTED);
        }
        return;
    case TunnelHeader::ACK: {
        TlpPeerSession& s = Session(source);
        if (!s.CheckAck(th, &u.GetAck()))
        {
            Drop(packet, DROP_BAD_ACK);
            return;
        }
        s.ProcessAck(th, &u.GetAck());
        return;
    }
    case TunnelHeader::DATA:
    case TunnelHeader::COMPLETION:
    default:
        break;
    }
    bool data = th.GetKind() == TunnelHeader::DATA;
    bool byMemoryId = th.GetFlags() & TunnelHeader::FLAG_MEMORY_ID;
    const TlpExportGrant* g =
        data && !byMemoryId ? m_exports.Find(source, th.GetWindow()) : nullptr;
    const TlpMemoryIdGrant* mg =
        data && byMemoryId ? m_memoryIds.FindGrant(source, th.GetWindow()) : nullptr;
    // An acknowledgement of what was never sent makes the whole packet malformed,
    // whatever its key.
    TlpPeerSession& s = Session(source);
    if (!s.CheckAck(th, nullptr))
    {
        Drop(packet, DROP_BAD_ACK);
        return;
    }
    if ((g != nullptr && g->key != th.GetKey()) || (mg != nullptr && mg->key != th.GetKey()))
    {
        // Only the sender granted the window knows its key. The packet records nothing
        // (its sequence number included); each request in it is refused.
        for (uint16_t i = 0; i < u.GetNTlps(); ++i)
        {
            m_stats.badKeys++;
            Refuse(u.GetTlpPacket(i), DROP_BAD_KEY, source);
        }
        return;
    }
    TlpPeerSession::Verdict verdict = s.Receive(th, packet);
    s.ProcessAck(th, nullptr);
    switch (verdict)
    {
    case TlpPeerSession::RX_DELIVER: {
        m_stats.tunnelTlpsReceived += th.GetCount();
        // Decided now; the TLPs leave for the interconnect once processed.
        HandleTlps(source, u, m_port.ProcessPacket());
        uint32_t index = FindSession(source);
        m_sessions[index]->DeliverBuffered();
        return;
    }
    case TlpPeerSession::RX_BUFFERED:
        m_stats.tunnelTlpsReceived += th.GetCount();
        return;
    case TlpPeerSession::RX_DUPLICATE:
        Drop(packet, DROP_DUPLICATE);
        return;
    case TlpPeerSession::RX_OUT_OF_ORDER:
        Drop(packet, DROP_OUT_OF_ORDER);
        return;
    case TlpPeerSession::RX_OUT_OF_WINDOW:
        Drop(packet, DROP_OUT_OF_WINDOW);
        return;
    }
}

void
TlpTunnelNetDevice::HandleTlps(uint32_t peer, const TlpUnpacker& u, Time ready)
{
    const TunnelHeader& th = u.GetHeader();
    for (uint16_t i = 0; i < u.GetNTlps(); ++i)
    {
        if (th.GetKind() == TunnelHeader::DATA)
        {
            HandleRequest(peer, th, u.GetTlpPacket(i), u.GetTlp(i).header, ready);
        }
        else
        {
            HandleCompletion(peer, th, u.GetTlpPacket(i), u.GetTlp(i).header, ready);
        }
    }
}

void
TlpTunnelNetDevice::HandleRequest(uint32_t peer,
                                  const TunnelHeader& th,
                                  Ptr<Packet> tlp,
                                  const TlpHeader& h,
                                  Time ready)
{
    if (th.GetFlags() & TunnelHeader::FLAG_MEMORY_ID)
    {
        HandleMemoryIdRequest(peer, th, tlp, h, ready);
        return;
    }
    // A request is placed only inside a region this NIC granted to the sender.
    const TlpExportGrant* g = m_exports.Find(peer, th.GetWindow());
    uint64_t address = h.GetAddress();
    uint64_t span = RequestSpan(h);
    bool translated = th.GetFlags() & TunnelHeader::FLAG_TRANSLATED;
    bool ok = false;
    uint64_t target = address;
    uint64_t regionBase = 0;
    if (g != nullptr)
    {
        regionBase = m_exports.GetRegion(g->region).base;
        if (translated)
        {
            ok = Inside(address, span, regionBase, g->size);
        }
        else
        {
            ok = Inside(address, span, g->windowBase, g->size);
            target = regionBase + (address - g->windowBase);
        }
    }
    if (!ok)
    {
        Refuse(tlp, DROP_NO_REGION, peer);
        return;
    }
    TlpHeader placed = h;
    if (!translated)
    {
        tlp = Readdress(tlp, h, target);
        placed.SetAddress(target);
    }
    if (TlpWriteConfirmation::IsRequested(placed))
    {
        if (g->confirm == TlpWindow::CONFIRM_RECEIVER_NIC)
        {
            // Claim 17: confirmed now, with the sender's window address; claim 18: the
            // copy is kept until this node's memory confirms it.
            uint64_t first = placed.GetFirstByteAddress();
            uint32_t bytes = TlpWriteConfirmation::WrittenBytes(placed);
            Ptr<Packet> c = TlpWriteConfirmation::Make(m_requesterId,
                                                       placed.GetRequesterId(),
                                                       g->windowBase + (first - regionBase),
                                                       bytes);
            m_stats.confirmationsSent++;
            TlpHeader ch;
            c->PeekHeader(ch);
            uint16_t window = th.GetWindow();
            m_keeper.Keep(tlp->Copy(), placed.GetRequesterId(), first, bytes);
            m_confirmationTrace(c);
            Enqueue(peer,
                    c,
                    ch,
                    TunnelHeader::COMPLETION,
                    window,
                    TunnelHeader::FLAG_TRANSLATED,
                    0);
        }
        else if (g->confirm == TlpWindow::CONFIRM_MEMORY)
        {
            m_router.InboundWrite(peer, placed.GetRequesterId());
        }
        else
        {
            // The window asks nobody here to confirm.
            tlp = TlpWriteConfirmation::Rewrite(tlp, placed, false);
        }
    }
    if (!placed.IsPosted())
    {
        m_router.Inbound(peer, placed);
    }
    PlaceOnInterconnect(tlp, ready);
}

void
TlpTunnelNetDevice::HandleMemoryIdRequest(uint32_t peer,
                                          const TunnelHeader& th,
                                          Ptr<Packet> tlp,
                                          const TlpHeader& h,
                                          Time ready)
{
    // Claim 36: the memory ID and offset resolve into this node's range, as it is now.
    uint64_t target = 0;
    switch (m_memoryIds.Resolve(peer, th.GetWindow(), h.GetAddress(), RequestSpan(h), target))
    {
    case TlpMemoryRegistry::UNKNOWN_ID:
        Refuse(tlp, DROP_UNKNOWN_MEMORY_ID, peer);
        return;
    case TlpMemoryRegistry::NOT_GRANTED:
        Refuse(tlp, DROP_NO_REGION, peer);
        return;
    case TlpMemoryRegistry::OUT_OF_RANGE:
        Refuse(tlp, DROP_OFFSET_RANGE, peer);
        return;
    case TlpMemoryRegistry::RESOLVED:
        break;
    }
    TlpHeader placed = h;
    tlp = Readdress(tlp, h, target);
    placed.SetAddress(target);
    if (TlpWriteConfirmation::IsRequested(placed))
    {
        tlp = TlpWriteConfirmation::Rewrite(tlp, placed, false); // nobody confirms by memory ID
    }
    if (!placed.IsPosted())
    {
        m_router.Inbound(peer, placed);
    }
    PlaceOnInterconnect(tlp, ready);
}

void
TlpTunnelNetDevice::HandleCompletion(uint32_t peer,
                                     const TunnelHeader& th,
                                     Ptr<Packet> tlp,
                                     const TlpHeader& h,
                                     Time ready)
{
    if (TlpWriteConfirmation::IsConfirmation(h))
    {
        uint16_t writer;
        uint64_t address;
        uint32_t bytes;
        const TlpWindow* w = m_windows.Get(th.GetWindow());
        const TlpWindowReceiver* r = w != nullptr ? w->FindReceiver(peer) : nullptr;
        if (!TlpWriteConfirmation::Parse(tlp, h, writer, address, bytes) || r == nullptr ||
            !m_router.AcceptConfirmation(peer, writer))
        {
            Drop(tlp, DROP_UNEXPECTED);
            return;
        }
        if (!(th.GetFlags() & TunnelHeader::FLAG_TRANSLATED))
        {
            // Claim 15: back to the window address at the sending NIC.
            if (!Inside(address, bytes, r->regionBase, w->size))
            {
                Drop(tlp, DROP_UNEXPECTED);
                return;
            }
            address = w->base + (address - r->regionBase);
            tlp = TlpWriteConfirmation::Readdress(tlp, address);
        }
        if (!w->Contains(address, bytes))
        {
            Drop(tlp, DROP_UNEXPECTED);
            return;
        }
        m_stats.confirmationsPlaced++;
        PlaceOnInterconnect(tlp, ready);
        return;
    }
    if (!m_router.AcceptCompletion(peer, h))
    {
        Drop(tlp, DROP_UNKNOWN_REQUESTER);
        return;
    }
    if (h.GetRequesterId() == m_requesterId)
    {
        TlpRequestTracker::Outcome outcome = m_requester->Receive(tlp);
        if (outcome == TlpRequestTracker::NOT_OURS || outcome == TlpRequestTracker::MALFORMED)
        {
            Drop(tlp, DROP_UNKNOWN_REQUESTER);
        }
        return;
    }
    PlaceOnInterconnect(tlp, ready);
}

void
TlpTunnelNetDevice::PlaceOnInterconnect(Ptr<Packet> tlp, Time ready)
{
    m_stats.tlpsFromNetwork++;
    m_tlpRxTrace(tlp);
    m_port.Send(tlp, ready);
}

void
TlpTunnelNetDevice::ResendKept(Ptr<Packet> tlp)
{
    m_stats.interconnectResends++;
    m_port.SendGenerated(tlp);
}

void
TlpTunnelNetDevice::KeptWriteLost(Ptr<const Packet> tlp)
{
    m_stats.writesLost++;
    m_writeLostTrace(tlp, m_node->GetId());
}

void
TlpTunnelNetDevice::Refuse(Ptr<const Packet> request, DropReason reason, uint32_t toPeer)
{
    TlpHeader h;
    request->PeekHeader(h);
    if (!h.IsRequest() || h.IsPosted())
    {
        Drop(request, reason);
        return;
    }
    m_stats.unsupportedRequests++;
    if (toPeer == UINT32_MAX)
    {
        CompleteLocally(h, TlpHeader::UR);
        return;
    }
    TlpHeader cpl = TlpHeader::MakeCompletionFor(h, TlpHeader::UR, m_requesterId);
    Ptr<Packet> reply = Create<Packet>();
    reply->AddHeader(cpl);
    Enqueue(toPeer, reply, cpl, TunnelHeader::COMPLETION, 0, 0, 0);
}

Ptr<Packet>
TlpTunnelNetDevice::Readdress(Ptr<Packet> tlp, TlpHeader h, uint64_t address)
{
    TlpEcrcTrailer digest;
    if (h.HasDigest())
    {
        tlp->RemoveTrailer(digest);
    }
    tlp->RemoveAtStart(h.GetSerializedSize()); // h was parsed from this TLP
    h.SetAddress(address);
    tlp->AddHeader(h);
    if (h.HasDigest())
    {
        TlpEcrcTrailer::Append(tlp);
    }
    return tlp;
}

// ------------------------------------------------------- doorbell and DMA engine

const TlpDoorbell&
TlpTunnelNetDevice::GetDoorbell() const
{
    return m_doorbell;
}

const TlpNicDma&
TlpTunnelNetDevice::GetDma() const
{
    return m_dma;
}

void
TlpTunnelNetDevice::DoorbellAccess(Ptr<Packet> tlp, const TlpHeader& h)
{
    if (h.GetKind() == TlpHeader::MEM_WRITE)
    {
        if (!m_doorbell.Write(tlp, h))
        {
            Drop(tlp, DROP_NO_REGISTER); // a posted UR: nobody to answer
        }
        return;
    }
    std::vector<uint8_t> dws;
    if (h.GetKind() != TlpHeader::MEM_READ ||
        h.GetLengthDw() * 4 > m_requester->GetMaxPayloadSize() || !m_doorbell.Read(h, dws))
    {
        m_stats.unsupportedRequests++;
        CompleteLocally(h, TlpHeader::UR);
        return;
    }
    uint32_t bytes = std::max<uint32_t>(h.GetEnabledBytes(), 1); // zero-length: one DW
    TlpHeader cpl = TlpHeader::MakeCompletion(TlpHeader::SC,
                                              m_requesterId,
                                              h.GetRequesterId(),
                                              h.GetTag(),
                                              bytes,
                                              static_cast<uint8_t>(h.GetFirstByteAddress() & 0x7F),
                                              h.GetLengthDw());
    cpl.SetTrafficClass(h.GetTrafficClass());
    cpl.SetAttributes(h.GetAttributes());
    Ptr<Packet> reply = Create<Packet>(dws.data(), dws.size());
    reply->AddHeader(cpl);
    m_port.SendGenerated(reply);
}

void
TlpTunnelNetDevice::SendThroughWindow(Ptr<Packet> tlp, const TlpHeader& h)
{
    TlpWindow* w = m_windows.Find(h.GetFirstByteAddress());
    if (w == nullptr || !w->Contains(h.GetAddress(), RequestSpan(h)))
    {
        Refuse(tlp, DROP_NO_WINDOW, UINT32_MAX); // the window went away meanwhile
        return;
    }
    Enqueue(w->GetPeer(), tlp, h, TunnelHeader::DATA, w->id, 0, 0);
}

void
TlpTunnelNetDevice::DescriptorRefused(uint32_t slot, const TlpDescriptor& d, uint32_t status)
{
    m_dma.Notify(d, status);
    m_descriptorTrace(slot, status);
}

void
TlpTunnelNetDevice::DescriptorEnded(uint32_t slot, uint32_t status)
{
    m_doorbell.Finish(slot, status);
    m_descriptorTrace(slot, status);
}

Ptr<TlpRequester>
TlpTunnelNetDevice::GetRequester() const
{
    return m_requester;
}

void
TlpTunnelNetDevice::SetMaxReadRequestSize(uint32_t value)
{
    TlpRequester::CheckTransferSize("TlpTunnelNetDevice", "MaxReadRequestSize", value);
    m_requester->SetMaxReadRequestSize(value);
}

uint32_t
TlpTunnelNetDevice::GetMaxReadRequestSize() const
{
    return m_requester->GetMaxReadRequestSize();
}

void
TlpTunnelNetDevice::SetMaxPayloadSize(uint32_t value)
{
    TlpRequester::CheckTransferSize("TlpTunnelNetDevice", "MaxPayloadSize", value);
    m_requester->SetMaxPayloadSize(value);
}

uint32_t
TlpTunnelNetDevice::GetMaxPayloadSize() const
{
    return m_requester->GetMaxPayloadSize();
}

// ------------------------------------------------------------------- NetDevice

void
TlpTunnelNetDevice::SetIfIndex(const uint32_t index)
{
    m_ifIndex = index;
}

uint32_t
TlpTunnelNetDevice::GetIfIndex() const
{
    return m_ifIndex;
}

Ptr<Channel>
TlpTunnelNetDevice::GetChannel() const
{
    return m_port.GetPort() != nullptr ? m_port.GetPort()->GetLink() : nullptr;
}

void
TlpTunnelNetDevice::SetAddress(Address address)
{
    m_address = Mac48Address::ConvertFrom(address);
}

Address
TlpTunnelNetDevice::GetAddress() const
{
    return m_address;
}

bool
TlpTunnelNetDevice::SetMtu(const uint16_t mtu)
{
    m_mtu = mtu;
    return true;
}

uint16_t
TlpTunnelNetDevice::GetMtu() const
{
    return m_mtu;
}

bool
TlpTunnelNetDevice::IsLinkUp() const
{
    return m_port.IsAttached() && m_transport != nullptr;
}

void
TlpTunnelNetDevice::AddLinkChangeCallback(Callback<void> callback)
{
}

bool
TlpTunnelNetDevice::IsBroadcast() const
{
    return false;
}

Address
TlpTunnelNetDevice::GetBroadcast() const
{
    return Mac48Address::GetBroadcast();
}

bool
TlpTunnelNetDevice::IsMulticast() const
{
    return false;
}

Address
TlpTunnelNetDevice::GetMulticast(Ipv4Address multicastGroup) const
{
    return Mac48Address::GetMulticast(multicastGroup);
}

Address
TlpTunnelNetDevice::GetMulticast(Ipv6Address addr) const
{
    return Mac48Address::GetMulticast(addr);
}

bool
TlpTunnelNetDevice::IsBridge() const
{
    return false;
}

bool
TlpTunnelNetDevice::IsPointToPoint() const
{
    return false;
}

bool
TlpTunnelNetDevice::Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber)
{
    NS_LOG_WARN("TlpTunnelNetDevice carries TLPs from its interconnect, not layer-3 packets");
    return false;
}

bool
TlpTunnelNetDevice::SendFrom(Ptr<Packet> packet,
                             const Address& source,
                             const Address& dest,
                             uint16_t protocolNumber)
{
    return Send(packet, dest, protocolNumber);
}

Ptr<Node>
TlpTunnelNetDevice::GetNode() const
{
    return m_node;
}

void
TlpTunnelNetDevice::SetNode(Ptr<Node> node)
{
    m_node = node;
    // A locally administered address derived from the node: 02:54:4c:<node id>.
    uint32_t id = node->GetId();
    uint8_t bytes[6] = {0x02,
                        0x54,
                        static_cast<uint8_t>(id >> 24),
                        static_cast<uint8_t>(id >> 16),
                        static_cast<uint8_t>(id >> 8),
                        static_cast<uint8_t>(id)};
    m_address.CopyFrom(bytes);
}

bool
TlpTunnelNetDevice::NeedsArp() const
{
    return false;
}

void
TlpTunnelNetDevice::SetReceiveCallback(NetDevice::ReceiveCallback cb)
{
    m_rxCallback = cb;
}

void
TlpTunnelNetDevice::SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb)
{
    m_promiscCallback = cb;
}

bool
TlpTunnelNetDevice::SupportsSendFrom() const
{
    return false;
}

} // namespace ns3
