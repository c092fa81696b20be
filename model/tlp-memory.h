/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_MEMORY_H
#define TLP_MEMORY_H

#include "local-interconnect-channel.h"
#include "sparse-memory.h"

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
 * \brief A memory system on a node's local interconnect, answering TLPs.
 *
 * The memory claims [Base, Base + Size) on the interconnect and stores bytes in a
 * SparseMemory. It executes, in arrival order:
 *
 * - MWr: the enabled bytes are stored on arrival (poisoned data is discarded);
 * - MRd: the bytes are read on arrival and returned in CplD completions that
 *   leave AccessLatency later, split so that none carries more than
 *   MaxPayloadSize bytes and every one but the last ends on a
 *   ReadCompletionBoundary-aligned address;
 * - FetchAdd, Swap, CAS (4- or 8-byte operands, little-endian, naturally aligned):
 *   executed atomically on arrival, the original value returned in a CplD.
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
     * \brief Attach to an interconnect and claim [Base, Base + Size) on it.
     * \param lpi the node's local interconnect
     */
    void Connect(Ptr<LocalInterconnectChannel> lpi);

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
    /// \return the interconnect port, or UINT32_MAX before Connect()
    uint32_t GetPort() const;

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
     * \brief Receive a TLP from the interconnect.
     * \param tlp the TLP
     */
    void Receive(Ptr<Packet> tlp);
    /**
     * \brief Execute a memory write.
     * \param h the header
     * \param tlp the TLP (header still in place)
     */
    void DoWrite(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Execute a memory read and queue its completions.
     * \param h the header
     * \param tlp the TLP
     */
    void DoRead(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Execute an AtomicOp and queue its completion.
     * \param h the header
     * \param tlp the TLP (header still in place)
     */
    void DoAtomic(const TlpHeader& h, Ptr<const Packet> tlp);
    /**
     * \brief Queue a completion without data (UR or CA) for a request.
     * \param h the request header
     * \param status the completion status
     */
    void Reject(const TlpHeader& h, uint8_t status);
    /**
     * \brief Queue a completion to leave AccessLatency after now.
     * \param cpl the completion header
     * \param data payload bytes (DW multiple), or nullptr
     * \param size payload size
     */
    void QueueCompletion(const TlpHeader& cpl, const uint8_t* data, uint32_t size);
    /// Send the completions that are due, as long as the interconnect takes them.
    void Drain();
    /**
     * \param address first byte
     * \param size bytes
     * \return true when [address, address + size) lies inside the memory's range
     */
    bool InRange(uint64_t address, uint64_t size) const;

    /// A completion waiting for its departure time or for the interconnect.
    struct Outgoing
    {
        Time due;        //!< earliest departure
        Ptr<Packet> tlp; //!< the completion
    };

    uint64_t m_base;                     //!< first address served
    uint64_t m_size;                     //!< bytes served
    uint16_t m_completerId;              //!< Completer ID
    Time m_accessLatency;                //!< request arrival to completion departure
    uint32_t m_maxPayloadSize;           //!< Max_Payload_Size
    uint32_t m_rcb;                      //!< read completion boundary
    bool m_ecrc;                         //!< append ECRC to completions
    SparseMemory m_store;                //!< the bytes
    Ptr<LocalInterconnectChannel> m_lpi; //!< the interconnect
    uint32_t m_port;                     //!< our port on it
    std::deque<Outgoing> m_outbox;       //!< completions not yet sent
    EventId m_drainEvent;                //!< pending Drain()

    TracedCallback<Ptr<const Packet>> m_writeTrace;         //!< write executed
    TracedCallback<Ptr<const Packet>> m_readTrace;          //!< read executed
    TracedCallback<Ptr<const Packet>> m_atomicTrace;        //!< AtomicOp executed
    TracedCallback<Ptr<const Packet>> m_completionTrace;    //!< completion sent
    TracedCallback<Ptr<const Packet>, uint8_t> m_dropTrace; //!< TLP dropped
};

} // namespace ns3

#endif /* TLP_MEMORY_H */
