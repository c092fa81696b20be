/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_MEMORY_H
#define TLP_MEMORY_H

#include "pcie-root-complex.h"
#include "sparse-memory.h"

#include "ns3/data-rate.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <deque>

namespace ns3
{

class TlpHeader;

/**
 * \ingroup tlp-tunnel
 * \brief A node's memory controller and memory: a part of the root complex that
 * answers TLPs.
 *
 * The memory claims [Base, Base + Size) in the root complex and stores bytes in a
 * SparseMemory. It executes, in arrival order:
 *
 * - MWr: the enabled bytes are stored on arrival (poisoned data is discarded);
 * - MRd: the bytes are read on arrival and returned in CplD completions, split so
 *   that none carries more than MaxPayloadSize bytes and every one but the last
 *   ends on a ReadCompletionBoundary-aligned address;
 * - FetchAdd, Swap, CAS (4- or 8-byte operands, little-endian, naturally aligned):
 *   executed atomically on arrival, the original value returned in a CplD.
 *
 * The controller moves Bandwidth bytes per second, requests in arrival order: a
 * request is taken when the controller is free (what frees the buffer it holds in
 * the root complex, and so a root port's credits), and the completion carrying a
 * read's bytes up to some address leaves AccessLatency after the controller has
 * moved them.
 *
 * Bad requests get the PCIe treatment: a request that leaves the memory's range,
 * carries more than MaxPayloadSize bytes, or is a misaligned AtomicOp is answered
 * with a Completer Abort (non-posted) or dropped and counted (posted); a TLP whose
 * ECRC does not match is dropped and counted.
 */
class TlpMemory : public Object
{
  public:
    /// Why the memory dropped a TLP.
    enum DropReason : uint8_t
    {
        DROP_MALFORMED = 0, ///< does not parse, or payload larger than MaxPayloadSize
        DROP_ECRC,          ///< ECRC digest mismatch
        DROP_POISONED,      ///< poisoned write data
        DROP_OUT_OF_RANGE,  ///< posted write leaving the memory's range
        DROP_UNSUPPORTED    ///< a TLP kind the memory does not execute
    };

    /**
     * TracedCallback signature for memory accesses.
     * \param [in] tlp the request TLP
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
    TlpMemory();
    ~TlpMemory() override;

    /**
     * \brief Become the memory controller of a root complex and claim [Base, Base + Size).
     * \param rc the node's root complex
     */
    void Connect(Ptr<PcieRootComplex> rc);

    /// \return the byte store (for initial images and checks)
    SparseMemory& GetStore();
    /// \return the byte store
    const SparseMemory& GetStore() const;
    /// \return first address served
    uint64_t GetBase() const;
    /// \return bytes served
    uint64_t GetSize() const;
    /// \return the memory's completer ID
    uint16_t GetCompleterId() const;
    /// \return the agent index in the root complex, or UINT32_MAX before Connect()
    uint32_t GetAgent() const;
    /**
     * \return when the controller has moved everything it took so far (a write is
     * taken, and its data visible, on arrival; it occupies the controller until then)
     */
    Time GetBusyUntil() const;

  protected:
    void DoDispose() override;

  private:
    /**
     * \param value Max_Payload_Size in bytes, a power of two in 128..4096
     */
    void SetMaxPayloadSize(uint32_t value);
    /// \return Max_Payload_Size in bytes
    uint32_t GetMaxPayloadSize() const;
    /**
     * \param value read completion boundary, 64 or 128 bytes
     */
    void SetReadCompletionBoundary(uint32_t value);
    /// \return read completion boundary in bytes
    uint32_t GetReadCompletionBoundary() const;

    /**
     * \brief Receive a TLP from the root complex.
     * \param tlp the TLP
     * \return when the controller has taken it (the buffer it holds is free)
     */
    Time Receive(Ptr<Packet> tlp);
    /**
     * \brief Occupy the controller with moving some bytes.
     * \param bytes bytes to move
     * \return when the controller starts on them, ps
     */
    int64_t Occupy(uint32_t bytes);
    /**
     * \param bytes a byte count
     * \return the controller's time to move them, ps
     */
    int64_t MovePs(uint64_t bytes) const;
    /**
     * \brief Execute a memory write.
     * \param h the header
     * \param tlp the TLP (header still in place)
     * \return when the controller has written it
     */
    Time DoWrite(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Execute a memory read and queue its completions.
     * \param h the header
     * \param tlp the TLP
     * \return when the controller takes it
     */
    Time DoRead(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Execute an AtomicOp and queue its completion.
     * \param h the header
     * \param tlp the TLP (header still in place)
     * \return when the controller takes it
     */
    Time DoAtomic(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Queue a completion without data (UR or CA) for a request.
     * \param h the request header
     * \param status the completion status
     */
    void Reject(const TlpHeader& h, uint8_t status);
    /**
     * \brief Send a completion when it is due (queued while the root complex refuses).
     * \param cpl the completion header
     * \param data payload bytes (DW multiple), or nullptr
     * \param size payload size
     * \param duePs when it leaves the memory, ps
     */
    void QueueCompletion(const TlpHeader& cpl, const uint8_t* data, uint32_t size, int64_t duePs);
    /// Send the completions that are due, as long as the root complex takes them.
    void Drain();
    /**
     * \param address first byte
     * \param size bytes
     * \return true when [address, address + size) lies inside the memory's range
     */
    bool InRange(uint64_t address, uint64_t size) const;

    /// A completion waiting for the root complex to take it.
    struct Outgoing
    {
        int64_t duePs;   //!< earliest departure, ps
        Ptr<Packet> tlp; //!< the completion
    };

    uint64_t m_base;               //!< first address served
    uint64_t m_size;               //!< bytes served
    uint16_t m_completerId;        //!< Completer ID
    Time m_accessLatency;          //!< data moved to completion departure
    DataRate m_bandwidth;          //!< controller rate, 0: unlimited
    uint32_t m_maxPayloadSize;     //!< Max_Payload_Size
    uint32_t m_rcb;                //!< read completion boundary
    bool m_ecrc;                   //!< append ECRC to completions
    int64_t m_freePs;              //!< the controller is free from then on
    SparseMemory m_store;          //!< the bytes
    Ptr<PcieRootComplex> m_rc;     //!< the root complex
    uint32_t m_agent;              //!< our agent index in it
    std::deque<Outgoing> m_outbox; //!< completions not yet sent

    TracedCallback<Ptr<const Packet>> m_writeTrace;         //!< write executed
    TracedCallback<Ptr<const Packet>> m_readTrace;          //!< read executed
    TracedCallback<Ptr<const Packet>> m_atomicTrace;        //!< AtomicOp executed
    TracedCallback<Ptr<const Packet>> m_completionTrace;    //!< completion sent
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* TLP_MEMORY_H */
