/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_ROOT_COMPLEX_H
#define PCIE_ROOT_COMPLEX_H

#include "pcie-port.h"
#include "pcie-routing-element.h"
#include "tlp-header.h"

#include "ns3/callback.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <string>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A node's root complex: its own parts (the CPU, the memory controller) and
 * its root ports, with the routing between them.
 *
 * The root complex's parts are agents: the CPU (a requester that claims its
 * Requester ID) and the memory controller (a completer that claims the memory
 * range). A TLP between two agents (a CPU load or store to memory) never crosses
 * PCIe: it reaches the other agent Latency later; an agent may have QueueSize
 * requests on their way to others (until the other is done with each, e.g. until a
 * busy memory controller has written a store), completions always go. Root ports (AddRootPort())
 * are the upstream ends of PcieLinks to endpoints or switches; the routing claims of what lies
 * below them (address ranges, Requester IDs, the default completion route) arrive through their
 * links. A TLP from a root port reaches its target Latency after it crossed the link (the root
 * port's delivery delay), and the root port's receive credits are freed when the target is done
 * with it: at once for the CPU and for other root ports, when the memory controller has taken it
 * for memory.
 *
 * A non-posted request that nothing claims, or that would leave through the port it
 * came in on, is answered with an Unsupported Request completion; a posted one is
 * dropped and counted, as is a completion for a Requester ID nothing claims.
 */
class PcieRootComplex : public PcieRoutingElement
{
  public:
    /**
     * Callback that hands a TLP to an agent; it returns when the agent is done with
     * the TLP's buffer (what frees a root port's credits), now or later.
     */
    typedef Callback<Time, Ptr<Packet>> AgentReceiveCallback;
    /// Callback that tells an agent the root complex takes its TLPs again.
    typedef Callback<void> ReadyCallback;

    /// Why the root complex dropped a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED = 0,       ///< bytes that do not parse as a TLP of consistent length
        DROP_UNCLAIMED_POSTED,    ///< posted request to an address nothing claims
        DROP_UNCLAIMED_COMPLETION ///< completion to a Requester ID nothing claims
    };

    /**
     * TracedCallback signature for TLPs.
     * \param [in] tlp the TLP
     */
    typedef void (*TlpTracedCallback)(Ptr<const Packet> tlp);
    /**
     * TracedCallback signature for drops.
     * \param [in] tlp the TLP
     * \param [in] reason a DropReason
     */
    typedef void (*DropTracedCallback)(Ptr<const Packet> tlp, uint8_t reason);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PcieRootComplex();
    ~PcieRootComplex() override;

    /**
     * \brief Add one of the root complex's own parts.
     * \param name a name for logs and error messages ("cpu", "memory")
     * \param receive called with each TLP routed to the agent
     * \param ready called when Send() takes the agent's TLPs again after refusing one
     * \return the agent's index (a routing target: claim ranges and IDs with it)
     */
    uint32_t AddAgent(const std::string& name, AgentReceiveCallback receive, ReadyCallback ready);
    /**
     * \brief Add a root port: the upstream end of a link (join it with PcieLink::Attach()).
     * \param name a name for logs and error messages
     * \param port the port to use (with its attributes set), or null for a new one
     * \return the port
     */
    Ptr<PciePort> AddRootPort(const std::string& name, Ptr<PciePort> port = nullptr);
    /// \return the number of root ports
    uint32_t GetNRootPorts() const;
    /**
     * \param i a root port index
     * \return the root port
     */
    Ptr<PciePort> GetRootPort(uint32_t i) const;

    /**
     * \brief An agent places a TLP in the root complex.
     * \param agent the agent
     * \param tlp the TLP
     * \param delay time before the TLP leaves the agent
     * \return false when the target cannot take it now: a root port's queue is full,
     *         or QueueSize requests of the agent are on their way to other agents (the
     *         agent's ready callback runs when it can); malformed TLPs are taken and
     *         dropped
     */
    bool Send(uint32_t agent, Ptr<Packet> tlp, Time delay = Time(0));

    /// \return the Completer ID of the completions the root complex generates
    uint16_t GetCompleterId() const;
    /// \return the time a TLP takes from one part of the root complex to another
    Time GetLatency() const;

    // PcieRoutingElement
    bool IsHostMemory(uint64_t base, uint64_t size) const override;
    void ReceiveFromPort(uint32_t target, Ptr<Packet> tlp, const TlpHeader::Summary& s) override;
    void PortReady(uint32_t target) override;

  protected:
    void DoDispose() override;

  private:
    /// A part of the root complex (an agent) or a root port (no fields in use).
    struct Target
    {
        AgentReceiveCallback receive; //!< agent delivery
        ReadyCallback ready;          //!< agent back-pressure release
        uint32_t inFlight = 0;        //!< agent TLPs on their way to another agent
        bool refused = false;         //!< Send() refused a TLP of this agent
        std::deque<Time> releases;    //!< agent: when TLPs delivered to busy agents free a slot
        EventId wake;                 //!< agent: next look at its slots after a refusal
    };

    /**
     * \param value the internal latency
     */
    void SetLatency(Time value);
    /**
     * \param h what a TLP is
     * \param from where it came from
     * \param[out] to where it goes
     * \return false when nothing claims it (or only its ingress)
     */
    bool Route(const TlpHeader::Summary& h, uint32_t from, uint32_t& to) const;
    /**
     * \param request a non-posted request nothing claims
     * \return the Unsupported Request completion that answers it
     */
    Ptr<Packet> MakeUnsupported(Ptr<const Packet> request);
    /**
     * \brief A TLP of one agent reaches another.
     * \param from the sending agent
     * \param to the receiving agent
     * \param tlp the TLP
     */
    void ArriveAtAgent(uint32_t from, uint32_t to, Ptr<Packet> tlp);
    /// Let agents that were refused try again.
    void WakeAgents();
    /**
     * \param t an agent: count the slots freed by now
     */
    static void ApplyReleases(Target& t);
    /**
     * \param agent a refused agent: look again when its next slot frees
     */
    void ScheduleWake(uint32_t agent);
    /**
     * \param agent a refused agent: call its ready callback if it has a free slot
     */
    void WakeAgent(uint32_t agent);

    uint16_t m_completerId;            //!< Completer ID of generated completions
    Time m_latency;                    //!< between two parts
    uint32_t m_queueSize;              //!< TLPs an agent may have on their way to other agents
    std::vector<Target> m_targets;     //!< agents and root ports, by target index
    std::vector<uint32_t> m_rootPorts; //!< target index of each root port

    TracedCallback<Ptr<const Packet>> m_unsupportedTrace;   //!< UR generated
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* PCIE_ROOT_COMPLEX_H */
