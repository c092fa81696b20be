/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_ROUTING_ELEMENT_H
#define PCIE_ROUTING_ELEMENT_H

#include "tlp-header.h"

#include "ns3/object.h"
#include "ns3/packet.h"

#include <boost/icl/split_interval_map.hpp>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{

class PciePort;

/**
 * \ingroup tlp-tunnel
 * \brief What the root complex and a PCIe switch share: the routing of TLPs to
 * their targets (ports, or the root complex's own CPU and memory controller).
 *
 * Memory requests and AtomicOps are routed by address (ranges claimed by targets,
 * kept in a boost::icl interval map; overlapping claims stop the simulation with a
 * message naming both), completions by Requester ID (IDs claimed by targets), with
 * IDs no one claims going to the default completion target. A TLP forwarded from
 * one port to another that cannot take it now waits, in order, and holds its
 * ingress port's receive credits until the egress takes it.
 */
class PcieRoutingElement : public Object
{
  public:
    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PcieRoutingElement();
    ~PcieRoutingElement() override;

    /**
     * \brief Route memory requests for [base, base + size) to a target.
     *
     * Stops the simulation when the range is empty, wraps or overlaps a claimed range.
     * \param target the target
     * \param base first address
     * \param size bytes (at least 1)
     */
    virtual void ClaimAddressRange(uint32_t target, uint64_t base, uint64_t size);
    /**
     * \brief Stop routing [base, base + size) to a target; the range must be one it claimed.
     * \param target the target
     * \param base first address
     * \param size bytes
     */
    virtual void ReleaseAddressRange(uint32_t target, uint64_t base, uint64_t size);
    /**
     * \brief Route completions for a Requester ID to a target.
     * \param target the target
     * \param id the Requester ID
     */
    virtual void ClaimRequesterId(uint32_t target, uint16_t id);
    /**
     * \brief Route completions whose Requester ID no target claims to this target.
     * \param target the target
     */
    virtual void SetDefaultCompletionTarget(uint32_t target);
    /**
     * \param base first address
     * \param size bytes
     * \return true when [base, base + size) lies in the memory of the node
     */
    virtual bool IsHostMemory(uint64_t base, uint64_t size) const = 0;

    /**
     * \brief A TLP arrived on one of the element's ports (called by the port; the
     * element frees the port's receive credits with PciePort::ReleaseCredits()).
     * \param target the port's target index
     * \param tlp the TLP, well formed
     * \param s what it is
     */
    virtual void ReceiveFromPort(uint32_t target, Ptr<Packet> tlp, const TlpHeader::Summary& s) = 0;
    /**
     * \brief One of the element's ports takes TLPs again after refusing one: forward
     * the TLPs that wait for it.
     * \param target the port's target index
     */
    virtual void PortReady(uint32_t target);

    /**
     * \param address an address
     * \param[out] target the target that claims it
     * \return true when a target claims the address
     */
    bool DecodeAddress(uint64_t address, uint32_t& target) const;
    /**
     * \param target a target
     * \return its name
     */
    std::string GetTargetName(uint32_t target) const;

  protected:
    void DoDispose() override;

    /**
     * \param name the target's name, for error messages
     * \param port the element's port for the target, or null for a part of the element
     * \return the new target's index
     */
    uint32_t AddTarget(const std::string& name, Ptr<PciePort> port = nullptr);
    /**
     * \param target a target
     * \return its port, or null when it is a part of the element
     */
    Ptr<PciePort> GetTargetPort(uint32_t target) const;
    /**
     * \brief Send a TLP out of a port target, or hold it until the port takes it.
     * \param from the target it came from (a port whose credits it holds, or not)
     * \param to the port target
     * \param tlp the TLP
     * \param s what it is
     * \param release free the receive credits of `from` once the TLP is taken
     */
    void Forward(uint32_t from,
                 uint32_t to,
                 Ptr<Packet> tlp,
                 const TlpHeader::Summary& s,
                 bool release);
    /// \return the number of targets
    uint32_t GetNTargets() const;
    /**
     * \param requesterId a completion's Requester ID
     * \param from the target it came from
     * \param[out] target where it goes
     * \return false when no target claims the ID and there is no default (or the
     *         default is where it came from)
     */
    bool RouteCompletion(uint16_t requesterId, uint32_t from, uint32_t& target) const;
    /**
     * \param requesterId a Requester ID
     * \param[out] target the target that claims it
     * \return true when a target claims it
     */
    bool FindRequester(uint16_t requesterId, uint32_t& target) const;
    /// \return the default completion target, -1 when none
    int64_t GetDefaultCompletionTarget() const;
    /**
     * \param base first address
     * \param size bytes
     * \param[out] target the one target that claims all of [base, base + size)
     * \return true when one target claims the whole range
     */
    bool DecodeRange(uint64_t base, uint64_t size, uint32_t& target) const;

  private:
    /// A TLP waiting for its egress port to take it.
    struct Held
    {
        Ptr<Packet> tlp;      //!< the TLP
        TlpHeader::Summary s; //!< what it is
        uint32_t from;        //!< where it came from
        bool release;         //!< free the credits of `from` once sent
    };

    /**
     * \param target a target index; stops the simulation on a bad one
     */
    void CheckTarget(uint32_t target) const;

    std::vector<std::string> m_names;     //!< target names
    std::vector<Ptr<PciePort>> m_ports;   //!< target ports (null: parts of the element)
    std::vector<std::deque<Held>> m_held; //!< TLPs waiting for each port
    /// Address decode: range to target index + 1 (0 is the map's neutral element).
    boost::icl::split_interval_map<uint64_t, uint32_t> m_decode;
    std::unordered_map<uint16_t, uint32_t> m_requesters; //!< completion routing
    int64_t m_defaultTarget;                             //!< -1 when none
};

} // namespace ns3

#endif /* PCIE_ROUTING_ELEMENT_H */
