/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_REQUESTER_H
#define TLP_REQUESTER_H

#include "tlp-header.h"
#include "tlp-request-tracker.h"

#include "ns3/callback.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/packet.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The requester engine: turns writes, reads and AtomicOps of any size and
 * alignment into TLPs, and their completions back into results.
 *
 * One engine serves every requester of the module (the CPU, a DMA engine, the NIC's
 * own reads and writes):
 *
 * - a write becomes MWr requests of at most MaxPayloadSize bytes, a read MRd
 *   requests of at most MaxReadRequestSize bytes, split at naturally aligned
 *   multiples of that size (so no request crosses a 4 KiB boundary, PCIe 2.2.7);
 *   each request carries whole DWs, the bytes outside the range cleared in its
 *   First and Last DW Byte Enables and sent as zeros;
 * - an AtomicOp (FetchAdd, Swap, CAS) carries little-endian operands of 4 or 8
 *   bytes (CAS also 16) at an address that is a multiple of the operand size. Any
 *   other AtomicOp is refused before a TLP leaves: it ends with STATUS_MISALIGNED
 *   or STATUS_BAD_SIZE, is counted and traced, and never executes elsewhere;
 * - non-posted requests take a tag of a TlpRequestTracker (Tags of them); their
 *   completions, split or not, are matched and reassembled by byte count and lower
 *   address; CompletionTimeout ends a request that gets no answer, and its tag rests
 *   for TagQuarantine.
 *
 * The owner gives the engine a send callback that places one TLP where it goes
 * (a root complex, a PCIe port, the network) and returns false when it cannot take
 * it now; it then calls TrySend() when it can. Completions addressed to the
 * engine's RequesterId are handed to Receive(). Each operation ends once, with a
 * Result whose status is a TlpHeader::CompletionStatus or one of the STATUS_*
 * values below (StatusToString() names them).
 */
class TlpRequester : public Object
{
  public:
    /// What an operation does.
    enum OperationKind : uint8_t
    {
        OP_WRITE,
        OP_READ,
        OP_FETCH_ADD,
        OP_SWAP,
        OP_CAS
    };

    /// A request ended by CompletionTimeout.
    static constexpr uint8_t STATUS_TIMEOUT = TlpRequestTracker::STATUS_TIMEOUT;
    /// An AtomicOp refused: its address is not a multiple of its operand size.
    static constexpr uint8_t STATUS_MISALIGNED = 0xFE;
    /// An AtomicOp refused: its operand size is not 4 or 8 bytes (16 for CAS).
    static constexpr uint8_t STATUS_BAD_SIZE = 0xFD;

    /// What an operation's callback and trace receive.
    struct Result
    {
        uint64_t id;               //!< operation number, from 1
        OperationKind kind;        //!< what it did
        uint64_t address;          //!< first byte
        uint32_t size;             //!< bytes (operand size for AtomicOps)
        uint8_t status;            //!< TlpHeader::CompletionStatus or a STATUS_* value
        std::vector<uint8_t> data; //!< bytes read, or the AtomicOp's original value
        Time latency;              //!< from the call to the last completion (writes: last TLP sent)
    };

    /// Callback run when an operation ends.
    typedef Callback<void, const Result&> DoneCallback;
    /// Callback with a read's data as it arrives: (operation, offset, bytes, count).
    typedef Callback<void, uint64_t, uint32_t, const uint8_t*, uint32_t> DataCallback;
    /// Callback that places a TLP: (TLP, its header, operation); false: not now.
    typedef Callback<bool, Ptr<Packet>, const TlpHeader&, uint64_t> SendCallback;
    /// Callback run when a request has ended or a tag has become free again.
    typedef Callback<void> ReadyCallback;

    /// Counters of what the engine did.
    struct Statistics
    {
        uint64_t tlpsSent = 0;       //!< TLPs the send callback took
        uint64_t completions = 0;    //!< completions taken
        uint64_t operationsDone = 0; //!< operations ended (any status)
        uint64_t errors = 0;         //!< operations ended with a status other than SC
        uint64_t timeouts = 0;       //!< requests ended by CompletionTimeout
        uint64_t refused = 0;        //!< AtomicOps refused (misaligned, bad operand size)
        uint64_t unexpected = 0;     //!< completions dropped: not ours, malformed, bad ECRC
        uint64_t bytesWritten = 0;   //!< write bytes sent
        uint64_t bytesRead = 0;      //!< read bytes received
        Time latencySum;             //!< sum of read and AtomicOp latencies
        Time latencyMax;             //!< largest read or AtomicOp latency
        uint64_t latencySamples = 0; //!< reads and AtomicOps in latencySum
    };

    /**
     * TracedCallback signature for TLPs.
     * \param [in] tlp the TLP
     */
    typedef void (*TlpTracedCallback)(Ptr<const Packet> tlp);
    /**
     * TracedCallback signature for completions.
     * \param [in] tlp the completion
     * \param [in] latency time since its request was sent
     */
    typedef void (*CompletionTracedCallback)(Ptr<const Packet> tlp, Time latency);
    /**
     * TracedCallback signature for ended operations.
     * \param [in] result the operation
     */
    typedef void (*OperationTracedCallback)(const Result& result);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpRequester();
    ~TlpRequester() override;

    /**
     * \brief Call f for each piece of [address, address + size) split at the
     * multiples of `boundary` so that none is larger than maxBytes: the piece from
     * `start` ends at min(end, AlignDown(start + maxBytes, boundary)). Requests use
     * boundary = maxBytes (naturally aligned chunks), completions the read
     * completion boundary.
     * \param address first byte
     * \param size bytes (0: no piece)
     * \param maxBytes largest piece, a power of two
     * \param boundary a power of two, at most maxBytes
     * \param f called with (first byte, bytes, last piece)
     */
    static void ForEachChunk(uint64_t address,
                             uint64_t size,
                             uint32_t maxBytes,
                             uint32_t boundary,
                             const std::function<void(uint64_t, uint32_t, bool)>& f);
    /**
     * \param bytes a little-endian integer
     * \param size its bytes, 1..8
     * \return its value
     */
    static uint64_t LoadLe(const uint8_t* bytes, uint32_t size);
    /**
     * \param[out] bytes where the little-endian integer goes
     * \param size its bytes, 1..8
     * \param value the value (its low `size` bytes)
     */
    static void StoreLe(uint8_t* bytes, uint32_t size, uint64_t value);
    /**
     * \param kind FETCH_ADD, SWAP or CAS
     * \param address the operand's first byte
     * \param size the operand size
     * \return TlpHeader::SC when the AtomicOp is valid, else STATUS_BAD_SIZE or
     * STATUS_MISALIGNED
     */
    static uint8_t CheckAtomic(TlpHeader::Kind kind, uint64_t address, uint32_t size);
    /**
     * \brief Stop with a message naming the attribute and the value unless it is a
     * power of two in 128..4096 (Max_Payload_Size, Max_Read_Request_Size).
     * \param owner the class whose attribute it is
     * \param attribute the attribute's name
     * \param value its value, bytes
     */
    static void CheckTransferSize(const std::string& owner,
                                  const std::string& attribute,
                                  uint32_t value);
    /**
     * \param status an operation's status
     * \return its name: "SC", "UR", "CRS", "CA", "timeout", "misaligned",
     * "bad operand size" (else "status N")
     */
    static std::string StatusToString(uint8_t status);

    /// \param send places the TLPs (required before the first operation)
    void SetSendCallback(SendCallback send);
    /// \param ready called when a request has ended or a tag is free again
    void SetReadyCallback(ReadyCallback ready);
    /**
     * \brief Whether posted requests (writes) pass non-posted ones that wait for a
     * tag, as the PCIe ordering table allows (rows A3, A4) and a DMA engine's
     * separate write channel does. Off (the default, a CPU): strict issue order.
     * \param pass true to let writes pass
     */
    void SetPostedPassing(bool pass);

    /**
     * \brief Write bytes (posted: the operation ends when its last MWr is sent).
     * \param address first byte
     * \param data the bytes
     * \param size bytes (1 or more)
     * \param done callback, may be null
     * \return operation number
     */
    uint64_t Write(uint64_t address, const uint8_t* data, uint32_t size, DoneCallback done);
    /**
     * \brief Read bytes.
     * \param address first byte
     * \param size bytes (1 or more)
     * \param done callback with the data, may be null
     * \param data when given, each completion's bytes go to it as they arrive and
     * the result carries no data
     * \return operation number
     */
    uint64_t Read(uint64_t address,
                  uint32_t size,
                  DoneCallback done,
                  DataCallback data = DataCallback());
    /**
     * \brief An AtomicOp; refused (STATUS_MISALIGNED, STATUS_BAD_SIZE) unless its
     * operand size is 4 or 8 (CAS also 16) and address a multiple of it.
     * \param kind FETCH_ADD, SWAP or CAS
     * \param address the operand's first byte
     * \param size operand size
     * \param operands the operand bytes, little-endian (CAS: compare, then swap)
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t Atomic(TlpHeader::Kind kind,
                    uint64_t address,
                    uint32_t size,
                    const uint8_t* operands,
                    DoneCallback done);
    /**
     * \brief Atomically add to a little-endian integer.
     * \param address the integer
     * \param addend value to add
     * \param size 4 or 8 bytes
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t FetchAdd(uint64_t address, uint64_t addend, uint32_t size, DoneCallback done);
    /**
     * \brief Atomically replace a little-endian integer.
     * \param address the integer
     * \param value new value
     * \param size 4 or 8 bytes
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t Swap(uint64_t address, uint64_t value, uint32_t size, DoneCallback done);
    /**
     * \brief Atomically replace a little-endian integer if it equals a value.
     * \param address the integer
     * \param compare expected value
     * \param swap new value
     * \param size 4 or 8 bytes
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t CompareAndSwap(uint64_t address,
                            uint64_t compare,
                            uint64_t swap,
                            uint32_t size,
                            DoneCallback done);

    /**
     * \brief Take a TLP that may be a completion for one of our requests.
     * \param tlp the TLP
     * \return NOT_OURS (not a completion to RequesterId, no such tag, or a bad
     * ECRC) and MALFORMED are dropped and counted as unexpected
     */
    TlpRequestTracker::Outcome Receive(Ptr<const Packet> tlp);
    /// Send queued TLPs while the send callback takes them and tags are free.
    void TrySend();

    /// \return TLPs formed and not yet taken by the send callback
    uint32_t GetQueued() const;
    /// \return operations started and not ended
    uint64_t GetPendingOperations() const;
    /// \return requests waiting for completions
    uint32_t GetOutstanding() const;
    /// \return the counters
    const Statistics& GetStatistics() const;
    /// \return the tag and completion state
    const TlpRequestTracker& GetTracker() const;

    /// \param value Requester ID of the requests
    void SetRequesterId(uint16_t value);
    /// \return Requester ID
    uint16_t GetRequesterId() const;
    /// \param value Max_Payload_Size, a power of two in 128..4096
    void SetMaxPayloadSize(uint32_t value);
    /// \return Max_Payload_Size
    uint32_t GetMaxPayloadSize() const;
    /// \param value Max_Read_Request_Size, a power of two in 128..4096
    void SetMaxReadRequestSize(uint32_t value);
    /// \return Max_Read_Request_Size
    uint32_t GetMaxReadRequestSize() const;
    /// \param value number of tags, 1..768 (before the first request)
    void SetTags(uint32_t value);
    /// \return number of tags
    uint32_t GetTags() const;
    /// \param value completion timeout
    void SetCompletionTimeout(Time value);
    /// \return completion timeout
    Time GetCompletionTimeout() const;
    /// \param value rest of a timed-out tag
    void SetTagQuarantine(Time value);
    /// \return rest of a timed-out tag
    Time GetTagQuarantine() const;
    /// \param value traffic class of the requests, 0..7
    void SetTrafficClass(uint8_t value);
    /// \return traffic class of the requests
    uint8_t GetTrafficClass() const;
    /// \param value append an ECRC digest to the requests
    void SetEcrc(bool value);
    /// \return true when the requests carry an ECRC digest
    bool GetEcrc() const;
    /// \param value writes ask for a write confirmation (TlpWriteConfirmation)
    void SetWriteConfirmation(bool value);
    /// \return true when writes ask for a write confirmation
    bool GetWriteConfirmation() const;

  protected:
    void DoDispose() override;

  private:
    /// An operation not yet ended.
    struct Operation
    {
        Result result;        //!< what the callback gets
        Time start;           //!< when it was called
        uint32_t outstanding; //!< requests not yet ended
        DoneCallback done;    //!< user callback
        DataCallback data;    //!< data as it arrives, or null: kept in the result
    };

    /// A TLP formed but not yet taken by the send callback.
    struct Pending
    {
        TlpHeader header;    //!< header, tag filled in when sent
        Ptr<Packet> payload; //!< data, or nullptr
        Ptr<Packet> built;   //!< the whole TLP once formed (tag reserved)
        uint64_t opId;       //!< operation
        uint32_t offset;     //!< first byte's offset in the operation
        uint32_t bytes;      //!< bytes requested (non-posted) or written
        bool last;           //!< last TLP of a posted operation
    };

    /**
     * \param kind the operation kind
     * \param address first byte
     * \param size bytes
     * \param done callback
     * \return the new operation's number
     */
    uint64_t NewOperation(OperationKind kind, uint64_t address, uint32_t size, DoneCallback done);
    /// \param h a request header: apply TC and ECRC
    void Decorate(TlpHeader& h) const;
    /// Configure the tracker before the first request.
    void Start();
    /**
     * \brief Completion data of a request.
     * \param opId the operation
     * \param offset offset of the bytes in the operation
     * \param data the bytes
     * \param size byte count
     */
    void RequestData(uint64_t opId, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \brief A request ended; the operation ends with its last request.
     * \param opId the operation
     * \param status the request's final status
     */
    void RequestEnded(uint64_t opId, uint8_t status);
    /// A tag left quarantine: send and tell the owner.
    void TagFreed();
    /**
     * \param opId an operation whose requests have all ended
     */
    void FinishOperation(uint64_t opId);

    uint16_t m_requesterId;        //!< Requester ID
    uint32_t m_maxPayloadSize;     //!< Max_Payload_Size
    uint32_t m_maxReadRequestSize; //!< Max_Read_Request_Size
    uint32_t m_nTags;              //!< tag pool size
    Time m_completionTimeout;      //!< request timeout
    Time m_tagQuarantine;          //!< rest of a timed-out tag
    uint8_t m_trafficClass;        //!< TC of the requests
    bool m_ecrc;                   //!< append ECRC
    bool m_writeConfirmation;      //!< writes ask for confirmation

    SendCallback m_send;                           //!< places TLPs
    ReadyCallback m_ready;                         //!< request ended, tag free
    bool m_postedPassing;                          //!< writes pass reads waiting for a tag
    bool m_started;                                //!< tracker configured
    bool m_inTrySend;                              //!< TrySend() is running
    uint64_t m_nextOpId;                           //!< next operation number
    std::unordered_map<uint64_t, Operation> m_ops; //!< operations not ended
    std::deque<Pending> m_txQueue;                 //!< TLPs not yet sent
    TlpRequestTracker m_tracker;                   //!< tags and completions
    Statistics m_stats;                            //!< counters

    TracedCallback<Ptr<const Packet>> m_txTrace;               //!< TLP sent
    TracedCallback<Ptr<const Packet>, Time> m_completionTrace; //!< completion taken
    TracedCallback<Ptr<const Packet>> m_dropTrace;             //!< completion dropped
    TracedCallback<const Result&> m_operationTrace;            //!< operation ended
    TracedCallback<const Result&> m_refusedTrace;              //!< AtomicOp refused
};

} // namespace ns3

#endif /* TLP_REQUESTER_H */
