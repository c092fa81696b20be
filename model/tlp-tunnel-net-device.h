/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TUNNEL_NET_DEVICE_H
#define TLP_TUNNEL_NET_DEVICE_H

#include "pcie-port.h"
#include "tlp-completion-router.h"
#include "tlp-doorbell.h"
#include "tlp-export-table.h"
#include "tlp-grant-agent.h"
#include "tlp-header.h"
#include "tlp-interconnect-port.h"
#include "tlp-memory-registry.h"
#include "tlp-nic-dma.h"
#include "tlp-peer-session.h"
#include "tlp-requester.h"
#include "tlp-transmit-scheduler.h"
#include "tlp-transport.h"
#include "tlp-unpacker.h"
#include "tlp-window-table.h"
#include "tlp-write-keeper.h"
#include "tunnel-grant-header.h"
#include "tunnel-header.h"

#include "ns3/error-model.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"
#include "ns3/random-variable-stream.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <memory>
#include <tuple>
#include <unordered_map>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The NIC that tunnels TLPs between compute nodes: a NetDevice facade over
 * its parts.
 *
 * A TLP that reaches the NIC through a window is translated (at this NIC or at the
 * receiving one, per window), encapsulated behind a TunnelHeader and handed to a
 * TlpTransport (Ethernet frames or UDP datagrams) towards the node the window maps
 * to. The receiving NIC extracts the TLP, translates its address if that is its
 * job, and places it on its own interconnect, where it reaches memory. Apart from
 * the address (and the ECRC recomputed after the edit) the TLP is unchanged; the
 * completions come back by Requester ID.
 *
 * The parts, one file pair each: the TlpInterconnectPort (the only part that
 * touches the node's PCIe: credits, processing stage, sniffer, local losses), the
 * TlpWindowTable (windows and their receivers), the TlpExportTable (regions granted
 * to peers), the TlpGrantAgent (GRANT_REQUEST / GRANT), the TlpCompletionRouter
 * (where completions go, which are accepted), one TlpPeerSession per peer (ordering,
 * sequence numbers, acknowledgements, retransmission), the TlpTransmitScheduler
 * (round robin over sessions), the TlpPacker and TlpUnpacker (aggregation; a packet
 * validated whole before anything acts on it) and the TlpWriteKeeper (copies of
 * writes the receiving NIC confirmed, claim 18). This class holds the attributes and
 * trace sources and wires the parts together.
 *
 * Malformed or unexpected packets from the network are dropped and counted, never
 * fatal, and change no state: a request is placed only at an address inside a
 * region this NIC granted to the sender, a completion only for a request that went
 * to the node it comes from.
 */
class TlpTunnelNetDevice : public NetDevice, private TlpPeerSession::Host
{
  public:
    /// Why the NIC dropped a packet or a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED_PACKET = 0, ///< tunnel header, lengths or body do not parse
        DROP_MALFORMED_TLP,        ///< a TLP inside a packet does not parse or fit its kind
        DROP_ECRC,                 ///< ECRC mismatch
        DROP_NO_REGION,            ///< request outside any region granted to the sender
        DROP_UNKNOWN_REQUESTER,    ///< completion for a request that did not go there
        DROP_REFUSED,              ///< posted request to a window whose grant failed
        DROP_TRANSPORT,            ///< the transport refused the packet
        DROP_UNKNOWN_SOURCE,       ///< from a node without a NIC in the fabric (or itself)
        DROP_UNSUPPORTED,          ///< a feature this version does not produce
        DROP_UNEXPECTED,           ///< a grant or confirmation nobody asked for
        DROP_BAD_ACK,              ///< acknowledges what was never sent
        DROP_DUPLICATE,            ///< sequenced packet seen before
        DROP_OUT_OF_ORDER,         ///< ahead of a gap (GoBackN)
        DROP_OUT_OF_WINDOW,        ///< sequence number beyond the receive window
        DROP_UNREACHABLE,          ///< completion or confirmation for an unreachable peer
        DROP_INTERCONNECT,         ///< lost between the NIC and its interconnect
        DROP_NO_WINDOW,            ///< posted request to an address no window claims
        DROP_SPOOFED_SOURCE,       ///< source field names another node than the link-level sender
        DROP_BAD_KEY,              ///< request with a key other than its window's grant
        DROP_NO_REGISTER,          ///< posted write into the doorbell BAR past its registers
        DROP_UNKNOWN_MEMORY_ID,    ///< request for a memory ID nothing is registered under
        DROP_OFFSET_RANGE          ///< request past the end of its memory ID's range
    };

    /// Counters of what the NIC did (with the sessions' counters).
    struct Statistics : public TlpPeerSession::Counters
    {
        uint64_t tlpsCrossed = 0;         //!< TLPs crossing interconnect/NIC, both ways (Sniffer)
        uint64_t tlpsToNetwork = 0;       //!< TLPs taken from the interconnect for peers
        uint64_t tlpsFromNetwork = 0;     //!< TLPs from peers placed on the interconnect
        uint64_t packetsSent = 0;         //!< tunnel packets sent (every kind, resent ones too)
        uint64_t packetsReceived = 0;     //!< tunnel packets received
        uint64_t tunnelTlpsSent = 0;      //!< TLPs inside the packets sent
        uint64_t tunnelTlpsReceived = 0;  //!< TLPs inside the packets received and accepted
        uint64_t grantRequests = 0;       //!< GRANT_REQUEST packets sent
        uint64_t grantsSent = 0;          //!< GRANT packets sent
        uint64_t grantFailures = 0;       //!< receivers that refused or never answered
        uint64_t malformedPackets = 0;    //!< packets dropped before anything acted on them
        uint64_t tlpDrops = 0;            //!< TLPs dropped one by one (any reason)
        uint64_t transportRefusals = 0;   //!< packets the transport refused
        uint64_t unsupportedRequests = 0; //!< UR completions the NIC generated
        uint64_t requestsAborted = 0;     //!< CA completions for requests to unreachable peers
        uint64_t writesLost = 0;          //!< posted writes not delivered to unreachable peers
        uint64_t confirmationsSent = 0;   //!< write confirmations the NIC generated
        uint64_t confirmationsPlaced = 0; //!< confirmations placed on the local interconnect
        uint64_t interconnectLosses = 0;  //!< TLPs lost between the NIC and its interconnect
        uint64_t interconnectResends = 0; //!< kept writes placed again (claim 18)
        uint64_t spoofedPackets = 0;      //!< packets whose source field is not their sender
        uint64_t badKeys = 0;             //!< requests with a key other than their grant's
        uint64_t exportsGranted = 0;      //!< GRANTs this NIC sent that granted a region
        uint64_t exportsRefused = 0;      //!< GRANTs this NIC sent that refused one
        uint64_t exportsReleased = 0;     //!< grants this NIC released (ReleaseExport())
        uint64_t remapsSent = 0;          //!< REMAP packets sent (resent ones too)
        uint64_t remapAcksSent = 0;       //!< REMAP_ACK packets sent
        uint64_t remapNoticesAcked = 0;   //!< senders that acknowledged a remap
        uint64_t remapNoticesFailed = 0;  //!< senders that never acknowledged one
    };

    /**
     * TracedCallback signature for packets and TLPs.
     * \param [in] packet the packet or TLP
     */
    typedef void (*PacketTracedCallback)(Ptr<const Packet> packet);
    /**
     * TracedCallback signature for drops.
     * \param [in] packet the packet or TLP
     * \param [in] reason a DropReason
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> packet, uint8_t reason);
    /**
     * TracedCallback signature for grants.
     * \param [in] peer the receiving node
     * \param [in] window the window ID
     * \param [in] regionBase the region's base at the receiver
     */
    typedef void (*GrantTracedCallback)(uint32_t peer, uint16_t window, uint64_t regionBase);
    /**
     * TracedCallback signature for failed grants.
     * \param [in] peer the receiving node
     * \param [in] window the window ID
     * \param [in] reason a TunnelGrantHeader::Status, or TlpGrantAgent::NO_ANSWER
     */
    typedef void (*GrantFailedTracedCallback)(uint32_t peer, uint16_t window, uint8_t reason);
    /**
     * TracedCallback signature for the regions this NIC exports.
     * \param [in] peer the sending node
     * \param [in] window its window ID
     * \param [in] status a TunnelGrantHeader::Status (granted, or why refused)
     * \param [in] regionBase the region's base (granted or released), 0 otherwise
     */
    typedef void (*ExportTracedCallback)(uint32_t peer,
                                         uint16_t window,
                                         uint8_t status,
                                         uint64_t regionBase);
    /**
     * TracedCallback signature for a remap at the receiver.
     * \param [in] memoryId the memory ID
     * \param [in] generation its remap count
     * \param [in] oldBase the range before the switch
     * \param [in] newBase the range after it
     */
    typedef void (*RemapTracedCallback)(uint16_t memoryId,
                                        uint32_t generation,
                                        uint64_t oldBase,
                                        uint64_t newBase);
    /**
     * TracedCallback signature for a REMAP notice at either end.
     * \param [in] peer the other node
     * \param [in] memoryId the memory ID
     * \param [in] generation its remap count
     * \param [in] value receiver: 1 acknowledged, 0 given up; sender: the switch sequence
     */
    typedef void (*RemapNoticeTracedCallback)(uint32_t peer,
                                              uint16_t memoryId,
                                              uint32_t generation,
                                              uint32_t value);
    /**
     * TracedCallback signature for peer events.
     * \param [in] peer the node
     */
    typedef void (*PeerTracedCallback)(uint32_t peer);
    /**
     * TracedCallback signature for TLPs bound to a peer.
     * \param [in] tlp the TLP
     * \param [in] peer the node
     */
    typedef void (*PeerTlpTracedCallback)(Ptr<const Packet> tlp, uint32_t peer);
    /**
     * TracedCallback signature for descriptors.
     * \param [in] slot the doorbell slot
     * \param [in] status DONE or a TlpDoorbellRegisters::Status error
     */
    typedef void (*DescriptorTracedCallback)(uint32_t slot, uint32_t status);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpTunnelNetDevice();
    ~TlpTunnelNetDevice() override;

    /**
     * \brief Become the endpoint of a PCIe link of the node.
     * \param port the NIC's end of the link
     */
    void Attach(Ptr<PciePort> port);
    /**
     * \brief Use a transport towards the other NICs.
     * \param transport the transport, attached to its lower device or socket
     */
    void SetTransport(Ptr<TlpTransport> transport);
    /// \return the transport
    Ptr<TlpTransport> GetTransport() const;

    /**
     * \brief Claim a window on the interconnect that maps to a region of a peer.
     *
     * The window's base and size, and the region's base, must be multiples of
     * 4 KiB (so the low address bits, byte enables and completion lower addresses
     * survive translation). The peer must be in the transport's directory.
     * \param base first local address
     * \param size bytes
     * \param peer receiving node ID
     * \param regionBase region base at the peer, or TunnelGrantHeader::ANY_BASE
     * \param translateAt where the address is translated
     * \param confirm who confirms writes that ask for a confirmation
     * \return the window ID
     */
    uint16_t AddWindow(uint64_t base,
                       uint64_t size,
                       uint32_t peer,
                       uint64_t regionBase = TunnelGrantHeader::ANY_BASE,
                       TlpWindow::TranslateAt translateAt = TlpWindow::SENDER,
                       TlpWindow::Confirm confirm = TlpWindow::CONFIRM_NONE);
    /**
     * \brief Claim a window that names (receiver, memory ID) instead of a region
     * (claims 35-36): TLPs through it carry the memory ID and their offset into the
     * window; the receiver resolves them into its registered range, wherever it is.
     *
     * Granted through GRANT_REQUEST / GRANT with FLAG_MEMORY_ID. Writes through it are
     * not confirmed (there is no address to confirm to).
     * \param base first local address, a multiple of 4 KiB
     * \param size bytes, a non-zero multiple of 4 KiB
     * \param peer receiving node ID
     * \param memoryId the memory ID registered at the receiver
     * \return the window ID
     */
    uint16_t AddMemoryIdWindow(uint64_t base, uint64_t size, uint32_t peer, uint16_t memoryId);
    /**
     * \brief Register a range of this node's memory under a memory ID (receiver side).
     * \param memoryId the ID, unique on this NIC
     * \param base first address, a multiple of 4 KiB, memory of this node
     * \param size bytes, a non-zero multiple of 4 KiB
     */
    void RegisterMemoryId(uint16_t memoryId, uint64_t base, uint64_t size);
    /**
     * \brief Move a memory ID to a new range (claim 32), in an event of its own at the
     * current time: TLPs resolved before it land in the old range, all later ones in
     * the new one; each sender holding a grant is told with a REMAP.
     * \param memoryId a registered memory ID
     * \param newBase the new range's base: same size, memory of this node, overlapping
     *        neither the old range nor another memory ID's
     */
    void RemapMemoryId(uint16_t memoryId, uint64_t newBase);
    /// \return this NIC's memory IDs
    const TlpMemoryRegistry& GetMemoryRegistry() const;
    /**
     * \brief Stop claiming a window; TLPs still waiting for it are answered as for a
     * refused window. The receiver keeps its region (no revocation yet).
     * \param id the window ID
     */
    void RemoveWindow(uint16_t id);
    /**
     * \param id a window ID
     * \return the window (read only), or nullptr
     */
    const TlpWindow* GetWindow(uint16_t id) const;
    /// \return number of window IDs given out
    uint16_t GetNWindows() const;
    /// \return the regions this NIC granted to senders
    const TlpExportTable& GetExportTable() const;
    /**
     * \brief Release the region granted to a sender's window (the region goes with its
     * last grant); the sender's later requests through the window are refused.
     * Reported by the ExportReleased trace and counted.
     * \param peer the sending node
     * \param window its window ID
     * \return false when this NIC holds no such grant
     */
    bool ReleaseExport(uint32_t peer, uint16_t window);
    /**
     * \param reason a DropReason
     * \return its name ("spoofed source", ...)
     */
    static std::string DropReasonToString(uint8_t reason);
    /**
     * \brief Use fixed random streams for the grant nonces and region keys.
     * \param stream first stream index
     * \return streams used (1)
     */
    int64_t AssignStreams(int64_t stream);

    /// \return the doorbell registers (the BAR the CPU writes descriptors into)
    const TlpDoorbell& GetDoorbell() const;
    /// \return the DMA engine that runs the descriptors
    const TlpNicDma& GetDma() const;

    /// \return the NIC's bus/device/function (Requester ID of its own requests)
    uint16_t GetRequesterId() const;
    /// \return the requester engine of the NIC's own reads and writes
    Ptr<TlpRequester> GetRequester() const;
    /// \return the NIC's end of its PCIe link, null before Attach()
    Ptr<PciePort> GetPort() const;
    /// \return the counters
    const Statistics& GetStatistics() const;
    /**
     * \param peer a node
     * \return its session, or nullptr when the NIC has none
     */
    const TlpPeerSession* GetSession(uint32_t peer) const;
    /**
     * \return the largest tunnel packet the NIC sends: the smaller of MaxPacketSize
     *         and what the transport's path carries (TlpTransport::GetMaxPacketSize)
     */
    uint32_t GetMaxPacketSize() const;

    // NetDevice
    void SetIfIndex(const uint32_t index) override;
    uint32_t GetIfIndex() const override;
    Ptr<Channel> GetChannel() const override;
    void SetAddress(Address address) override;
    Address GetAddress() const override;
    bool SetMtu(const uint16_t mtu) override;
    uint16_t GetMtu() const override;
    bool IsLinkUp() const override;
    void AddLinkChangeCallback(Callback<void> callback) override;
    bool IsBroadcast() const override;
    Address GetBroadcast() const override;
    bool IsMulticast() const override;
    Address GetMulticast(Ipv4Address multicastGroup) const override;
    Address GetMulticast(Ipv6Address addr) const override;
    bool IsBridge() const override;
    bool IsPointToPoint() const override;
    bool Send(Ptr<Packet> packet, const Address& dest, uint16_t protocolNumber) override;
    bool SendFrom(Ptr<Packet> packet,
                  const Address& source,
                  const Address& dest,
                  uint16_t protocolNumber) override;
    Ptr<Node> GetNode() const override;
    void SetNode(Ptr<Node> node) override;
    bool NeedsArp() const override;
    void SetReceiveCallback(NetDevice::ReceiveCallback cb) override;
    void SetPromiscReceiveCallback(NetDevice::PromiscReceiveCallback cb) override;
    bool SupportsSendFrom() const override;

  protected:
    void DoDispose() override;
    void DoInitialize() override;

  private:
    // ------------------------------------------------ TlpPeerSession::Host
    TlpPeerSession::Readiness Prepare(uint32_t peer, TlpPeerSession::Item& item) override;
    void Abandon(uint32_t peer,
                 std::vector<TlpPeerSession::Item>& items,
                 bool unreachable) override;
    void AbandonPackets(uint32_t peer, std::vector<Ptr<Packet>>& packets) override;
    void ReturnCredits(uint32_t credits) override;
    void Activate(uint32_t peer) override;
    void Transmit(uint32_t peer, Ptr<Packet> packet, bool retransmission) override;
    void Deliver(uint32_t peer, Ptr<Packet> packet) override;
    void Unreachable(uint32_t peer) override;

    /**
     * \param peer a node in the directory
     * \return its session (created on first use)
     */
    TlpPeerSession& Session(uint32_t peer);
    /**
     * \param index a session index
     * \return true when it has something to send (scheduler callback)
     */
    bool SessionHasWork(uint32_t index);
    /**
     * \param index a session index
     * \return true when the transport can take a packet for its peer (scheduler callback)
     */
    bool SessionCanSend(uint32_t index);
    /**
     * \param index a session index
     * \return true when it sent a packet (scheduler callback)
     */
    bool SessionSendOne(uint32_t index);
    /**
     * \param peer a node
     * \return its session's index, or UINT32_MAX
     */
    uint32_t FindSession(uint32_t peer) const;
    /// \return the sessions' parameters, from the attributes
    TlpPeerSession::Config SessionConfig() const;

    /**
     * \brief A TLP the interconnect delivered to the NIC (processed).
     * \param tlp the TLP
     * \param h its header
     */
    void FromInterconnect(Ptr<Packet> tlp, const TlpHeader& h);
    /**
     * \brief A write confirmation from the local interconnect (the memory's).
     * \param tlp the confirmation
     * \param h its header
     */
    void ConfirmationFromInterconnect(Ptr<Packet> tlp, const TlpHeader& h);
    /**
     * \brief Queue a TLP for a peer.
     * \param peer the node
     * \param tlp the TLP
     * \param h its header
     * \param kind DATA or COMPLETION
     * \param window the window ID for the tunnel header
     * \param flags tunnel flags
     * \param credits interconnect credits it holds
     */
    void Enqueue(uint32_t peer,
                 Ptr<Packet> tlp,
                 const TlpHeader& h,
                 TunnelHeader::Kind kind,
                 uint16_t window,
                 uint8_t flags,
                 uint32_t credits);
    /**
     * \brief Sniffer callback of the port.
     * \param tlp the TLP
     */
    void Sniff(Ptr<const Packet> tlp);
    /**
     * \brief The port's error model dropped a TLP towards the interconnect.
     * \param tlp the TLP
     */
    void InterconnectLoss(Ptr<const Packet> tlp);

    /**
     * \brief A tunnel packet from the transport.
     * \param packet the packet
     * \param from its link-level source (MAC, or IPv4 address and UDP port)
     */
    void ReceiveFromNetwork(Ptr<Packet> packet, const Address& from);
    /**
     * \brief Act on the TLPs of a validated packet, in order.
     * \param peer the node it came from
     * \param unpacker the parsed packet
     * \param ready when its TLPs may leave for the interconnect
     */
    void HandleTlps(uint32_t peer, const TlpUnpacker& unpacker, Time ready);
    /**
     * \brief A request from a peer.
     * \param peer the node
     * \param th the packet's tunnel header
     * \param tlp the TLP
     * \param h its header
     * \param ready when it may leave for the interconnect
     */
    void HandleRequest(uint32_t peer,
                       const TunnelHeader& th,
                       Ptr<Packet> tlp,
                       const TlpHeader& h,
                       Time ready);
    /**
     * \brief A request from a peer by memory ID and offset (FLAG_MEMORY_ID).
     * \param peer the node
     * \param th the packet's tunnel header
     * \param tlp the TLP
     * \param h its header
     * \param ready when it may leave for the interconnect
     */
    void HandleMemoryIdRequest(uint32_t peer,
                               const TunnelHeader& th,
                               Ptr<Packet> tlp,
                               const TlpHeader& h,
                               Time ready);
    /**
     * \brief A completion or write confirmation from a peer.
     * \param peer the node
     * \param th the packet's tunnel header
     * \param tlp the TLP
     * \param h its header
     * \param ready when it may leave for the interconnect
     */
    void HandleCompletion(uint32_t peer,
                          const TunnelHeader& th,
                          Ptr<Packet> tlp,
                          const TlpHeader& h,
                          Time ready);
    /**
     * \brief Place a TLP from the network on the interconnect.
     * \param tlp the TLP
     * \param ready when it may leave
     */
    void PlaceOnInterconnect(Ptr<Packet> tlp, Time ready);
    /**
     * \brief Answer a request that cannot be delivered: UR completion when non-posted,
     * counted drop when posted.
     * \param request the request TLP
     * \param reason the drop reason for posted requests
     * \param toPeer send the completion to this node (UINT32_MAX: onto the interconnect)
     */
    void Refuse(Ptr<const Packet> request, DropReason reason, uint32_t toPeer);
    /**
     * \brief Answer a TLP that will never reach an unreachable peer: CA for a
     * request, a lost write reported, a completion dropped.
     * \param tlp the TLP
     * \param h its header
     * \param peer the node
     */
    void AnswerUnreachable(Ptr<const Packet> tlp, const TlpHeader& h, uint32_t peer);
    /**
     * \brief End a local request with a completion of this NIC's (UR or CA).
     * \param request the request's header
     * \param status the status
     */
    void CompleteLocally(const TlpHeader& request, TlpHeader::CompletionStatus status);
    /**
     * \brief Queue a GRANT_REQUEST or GRANT (grant agent callback).
     * \param peer destination
     * \param kind the kind
     * \param window window ID
     * \param nonce the request's nonce
     * \param body the body
     */
    void SendControl(uint32_t peer,
                     TunnelHeader::Kind kind,
                     uint16_t window,
                     uint32_t nonce,
                     const TunnelGrantHeader& body);
    /**
     * \brief A receiver granted a window's region (grant agent callback).
     * \param window the window ID
     * \param peer the receiver
     * \param regionBase the region's base
     */
    void Granted(uint16_t window, uint32_t peer, uint64_t regionBase);
    /**
     * \brief A receiver refused or never answered (grant agent callback).
     * \param window the window ID
     * \param peer the receiver
     * \param reason why
     */
    void GrantFailed(uint16_t window, uint32_t peer, uint8_t reason);
    /**
     * \param base first address
     * \param size bytes
     * \return true when the range is memory of this node (export table callback)
     */
    bool IsLocalMemory(uint64_t base, uint64_t size);
    /**
     * \brief Create the random stream of grant nonces and region keys.
     * \param stream its stream index (-1: the next automatic one)
     */
    void CreateRandom(int64_t stream);
    /**
     * \brief Queue an unsequenced control packet.
     * \param peer destination
     * \param kind the kind
     * \param flags tunnel flags
     * \param window the window field
     * \param sequence the sequence field (nonce, generation)
     * \param body the body
     */
    void QueueControl(uint32_t peer,
                      TunnelHeader::Kind kind,
                      uint8_t flags,
                      uint16_t window,
                      uint32_t sequence,
                      const Header& body);
    /**
     * \brief The memory-ID part of the control protocol (GRANT_REQUEST and GRANT
     * with FLAG_MEMORY_ID, REMAP, REMAP_ACK).
     * \param source the node it came from
     * \param packet the packet
     * \param u the parsed packet
     */
    void ReceiveMemoryIdControl(uint32_t source, Ptr<Packet> packet, const TlpUnpacker& u);
    /**
     * \param peer a receiving node
     * \param memoryId a memory ID of it
     * \return this NIC's window onto it, or nullptr
     */
    TlpWindow* FindMemoryIdWindow(uint32_t peer, uint16_t memoryId);
    /**
     * \brief Move a memory ID (RemapMemoryId's event).
     * \param memoryId the memory ID
     * \param newBase the new base
     */
    void DoRemap(uint16_t memoryId, uint64_t newBase);
    /**
     * \brief Queue a REMAP (registry callback).
     * \param peer the sender told
     * \param kind REMAP
     * \param body the notice
     */
    void SendRemap(uint32_t peer, TunnelHeader::Kind kind, const TunnelRemapHeader& body);
    /**
     * \param peer a sending node
     * \return the next sequence number its session expects (registry callback)
     */
    uint32_t SwitchSequence(uint32_t peer);
    /**
     * \brief A REMAP notice was acknowledged or given up (registry callback).
     * \param peer the sender
     * \param body the notice
     * \param acknowledged true when acknowledged
     */
    void RemapNoticeEnded(uint32_t peer, const TunnelRemapHeader& body, bool acknowledged);
    /**
     * \brief Place a kept write on the interconnect again (write keeper callback).
     * \param tlp the write
     */
    void ResendKept(Ptr<Packet> tlp);
    /**
     * \brief A kept write was given up (write keeper callback).
     * \param tlp the write
     */
    void KeptWriteLost(Ptr<const Packet> tlp);

    /**
     * \brief Edit a TLP's address; recompute the ECRC when it has one.
     * \param tlp the TLP
     * \param h its header
     * \param address the new address
     * \return the edited TLP
     */
    static Ptr<Packet> Readdress(Ptr<Packet> tlp, TlpHeader h, uint64_t address);
    /**
     * \brief Count a drop.
     * \param packet the packet or TLP
     * \param reason why
     */
    void Drop(Ptr<const Packet> packet, DropReason reason);
    /**
     * \brief A request of the NIC's DMA engine, through the window that claims its
     * address (the path of the CPU's requests).
     * \param tlp the request
     * \param h its header
     */
    void SendThroughWindow(Ptr<Packet> tlp, const TlpHeader& h);
    /**
     * \brief An access to the doorbell BAR from the interconnect.
     * \param tlp the TLP
     * \param h its header
     */
    void DoorbellAccess(Ptr<Packet> tlp, const TlpHeader& h);
    /**
     * \brief A descriptor was refused (doorbell callback).
     * \param slot its slot
     * \param d the descriptor
     * \param status why
     */
    void DescriptorRefused(uint32_t slot, const TlpDescriptor& d, uint32_t status);
    /**
     * \brief A descriptor ended (DMA engine callback).
     * \param slot its slot
     * \param status DONE or an error
     */
    void DescriptorEnded(uint32_t slot, uint32_t status);
    /// \param value Max_Read_Request_Size of the NIC's own reads
    void SetMaxReadRequestSize(uint32_t value);
    /// \return Max_Read_Request_Size of the NIC's own reads
    uint32_t GetMaxReadRequestSize() const;
    /// \param value Max_Payload_Size of the NIC's own writes
    void SetMaxPayloadSize(uint32_t value);
    /// \return Max_Payload_Size of the NIC's own writes
    uint32_t GetMaxPayloadSize() const;

    Ptr<Node> m_node;              //!< the node
    uint32_t m_ifIndex;            //!< interface index
    Mac48Address m_address;        //!< a locally administered MAC, for NetDevice
    uint16_t m_mtu;                //!< NetDevice MTU (unused by the tunnel)
    Ptr<TlpTransport> m_transport; //!< the network side

    // Attributes
    uint16_t m_requesterId;              //!< our bus/device/function
    uint32_t m_rxCredits;                //!< TLPs we accept from the interconnect before credits
    Time m_processingDelay;              //!< per TLP or packet, each direction
    Time m_grantRetry;                   //!< first GRANT_REQUEST retransmission interval
    Time m_grantRetryMax;                //!< longest interval
    uint32_t m_grantAttempts;            //!< GRANT_REQUEST packets before giving up
    uint64_t m_exportBase;               //!< pool for regions granted on request
    uint64_t m_exportSize;               //!< pool size
    uint64_t m_doorbellBase;             //!< doorbell BAR base
    uint64_t m_doorbellSize;             //!< doorbell BAR size
    uint32_t m_doorbellSlots;            //!< descriptor slots
    uint32_t m_aggregationLimit;         //!< most TLPs per packet
    Time m_aggregationTimeout;           //!< longest a TLP waits for companions
    uint32_t m_maxPacketSize;            //!< largest tunnel packet, bytes
    bool m_reliable;                     //!< acknowledged, retransmitted delivery
    TlpPeerSession::Recovery m_recovery; //!< GoBackN or SelectiveRepeat
    uint32_t m_bufferPackets;            //!< retransmission buffer and receive window
    uint32_t m_ackEvery;                 //!< packets per ACK
    Time m_ackDelay;                     //!< longest ACK delay
    Time m_initialRto;                   //!< retransmission timeout before a sample
    Time m_minRto;                       //!< its floor
    Time m_maxRto;                       //!< its ceiling
    uint32_t m_retryLimit;               //!< timeouts before a peer is unreachable
    uint32_t m_reorderThreshold;         //!< transmissions before a hole is a loss
    uint32_t m_sackBlocks;               //!< most SACK blocks per ACK
    uint32_t m_initialSequence;          //!< first sequence number of every session
    Time m_keepTimeout;                  //!< receiver-NIC confirmation: local resend timeout
    uint32_t m_keepAttempts;             //!< and placements before giving up
    Time m_remapRetry;                   //!< first REMAP retransmission interval
    uint32_t m_remapAttempts;            //!< REMAP packets before a sender is given up
    Ptr<ErrorModel> m_interconnectErrorModel; //!< losses towards the interconnect
    Ptr<UniformRandomVariable> m_random;      //!< grant nonces and region keys

    // Parts
    TlpInterconnectPort m_port;                              //!< the node's PCIe
    TlpWindowTable m_windows;                                //!< our windows
    TlpExportTable m_exports;                                //!< regions we granted
    TlpGrantAgent m_grants;                                  //!< the grant protocol
    TlpMemoryRegistry m_memoryIds;                           //!< memory IDs (receiver)
    TlpCompletionRouter m_router;                            //!< completion routes
    std::vector<std::unique_ptr<TlpPeerSession>> m_sessions; //!< per peer, dense
    std::unordered_map<uint32_t, uint32_t> m_sessionIndex;   //!< node ID to session index
    TlpTransmitScheduler m_scheduler;                        //!< turns on the transport
    TlpWriteKeeper m_keeper; //!< writes this NIC confirmed (claim 18)

    Ptr<TlpRequester> m_requester; //!< our own reads and writes
    TlpDoorbell m_doorbell;        //!< the doorbell registers
    TlpNicDma m_dma;               //!< runs the descriptors
    Statistics m_stats;            //!< counters

    NetDevice::ReceiveCallback m_rxCallback;             //!< unused: the NIC carries no L3
    NetDevice::PromiscReceiveCallback m_promiscCallback; //!< unused

    TracedCallback<Ptr<const Packet>> m_snifferTrace;       //!< every TLP crossing interconnect/NIC
    TracedCallback<Ptr<const Packet>> m_tlpTxTrace;         //!< TLP taken from the interconnect
    TracedCallback<Ptr<const Packet>> m_tlpRxTrace;         //!< TLP placed on the interconnect
    TracedCallback<Ptr<const Packet>> m_macTxTrace;         //!< tunnel packet to the transport
    TracedCallback<Ptr<const Packet>> m_macRxTrace;         //!< tunnel packet from the transport
    TracedCallback<Ptr<const Packet>> m_retransmitTrace;    //!< tunnel packet sent again
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< drops
    TracedCallback<uint32_t, uint16_t, uint64_t> m_grantTrace;           //!< (peer, window, base)
    TracedCallback<uint32_t, uint16_t, uint8_t> m_grantFailedTrace;      //!< (peer, window, reason)
    TracedCallback<uint32_t, uint16_t, uint8_t, uint64_t> m_exportTrace; //!< grants answered
    TracedCallback<uint32_t, uint16_t, uint8_t, uint64_t> m_releaseTrace; //!< grants released
    TracedCallback<uint32_t> m_unreachableTrace;                          //!< peer unreachable
    TracedCallback<Ptr<const Packet>, uint32_t> m_writeLostTrace;         //!< (write, peer)
    TracedCallback<Ptr<const Packet>> m_confirmationTrace; //!< confirmation the NIC generated
    TracedCallback<uint32_t, uint32_t> m_descriptorTrace;  //!< (slot, status) ended or refused
    TracedCallback<uint16_t, uint32_t, uint64_t, uint64_t> m_remapTrace; //!< receiver: switched
    TracedCallback<uint32_t, uint16_t, uint32_t, uint32_t> m_remapNoticeTrace; //!< receiver
    TracedCallback<uint32_t, uint16_t, uint32_t, uint32_t> m_remappedTrace;    //!< sender
};

} // namespace ns3

#endif /* TLP_TUNNEL_NET_DEVICE_H */
