/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_CPU_H
#define TLP_CPU_H

#include "pcie-root-complex.h"
#include "tlp-header.h"
#include "tlp-requester.h"

#include "ns3/application.h"
#include "ns3/callback.h"
#include "ns3/data-rate.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A processor: the requester of loads, stores and MMIO in a node's root complex.
 *
 * The CPU's TlpRequester turns operations into TLPs: writes become MWr requests of
 * at most MaxPayloadSize bytes, reads become MRd requests of at most
 * MaxReadRequestSize bytes, each split at naturally aligned boundaries so that none
 * crosses a 4 KiB boundary; AtomicOps become one FetchAdd, Swap or CAS request (a
 * misaligned one is refused before it leaves). Non-posted requests take a tag from
 * a pool of Tags; completions are matched by tag, reassembled by byte count and
 * lower address, and the operation's callback runs when the last one arrives (or
 * when CompletionTimeout expires; the tag then rests for TagQuarantine before it is
 * used again). The attributes of the requester are the CPU's. The CPU is a part of the root
 * complex: its accesses to memory never cross PCIe, its stores and loads to a
 * device's range cross the root port's link.
 *
 * Operations can be issued one by one (Write, Read, FetchAdd, Swap,
 * CompareAndSwap, e.g. through Simulator::Schedule) or as a stream configured by
 * the Stream* attributes, which starts with the application.
 */
class TlpCpu : public Application
{
  public:
    /// What an operation does.
    typedef TlpRequester::OperationKind OperationKind;
    static constexpr OperationKind OP_WRITE = TlpRequester::OP_WRITE;         //!< Write()
    static constexpr OperationKind OP_READ = TlpRequester::OP_READ;           //!< Read()
    static constexpr OperationKind OP_FETCH_ADD = TlpRequester::OP_FETCH_ADD; //!< FetchAdd()
    static constexpr OperationKind OP_SWAP = TlpRequester::OP_SWAP;           //!< Swap()
    static constexpr OperationKind OP_CAS = TlpRequester::OP_CAS;             //!< CompareAndSwap()

    /// A request ended by CompletionTimeout.
    static constexpr uint8_t STATUS_TIMEOUT = TlpRequester::STATUS_TIMEOUT;
    /// An AtomicOp refused: address not a multiple of the operand size.
    static constexpr uint8_t STATUS_MISALIGNED = TlpRequester::STATUS_MISALIGNED;
    /// An AtomicOp refused: operand size not 4 or 8 (16 for CAS).
    static constexpr uint8_t STATUS_BAD_SIZE = TlpRequester::STATUS_BAD_SIZE;

    /// What an operation's callback and trace receive.
    typedef TlpRequester::Result Result;

    /// Callback run when an operation ends.
    typedef TlpRequester::DoneCallback DoneCallback;
    /// Callback with a write confirmation: (address, bytes, latency since the write left).
    typedef Callback<void, uint64_t, uint32_t, Time> ConfirmationCallback;

    /// Counters of what the CPU did: its requester's, and write confirmations.
    struct Statistics : public TlpRequester::Statistics
    {
        uint64_t confirmations = 0; //!< write confirmations received (WriteConfirmation)
        uint64_t unconfirmed = 0;   //!< writes not confirmed within CompletionTimeout
    };

    /**
     * TracedCallback signature for TLPs.
     * \param [in] tlp the TLP
     */
    typedef void (*TlpTracedCallback)(Ptr<const Packet> tlp);
    /**
     * TracedCallback signature for completions.
     * \param [in] tlp the completion
     * \param [in] latency time since its request was placed in the root complex
     */
    typedef void (*CompletionTracedCallback)(Ptr<const Packet> tlp, Time latency);
    /**
     * TracedCallback signature for ended operations.
     * \param [in] result the operation
     */
    typedef void (*OperationTracedCallback)(const Result& result);
    /**
     * TracedCallback signature for write confirmations.
     * \param [in] address first byte confirmed
     * \param [in] bytes bytes confirmed
     * \param [in] latency time since the write left the CPU
     */
    typedef void (*ConfirmationTracedCallback)(uint64_t address, uint32_t bytes, Time latency);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    TlpCpu();
    ~TlpCpu() override;

    /**
     * \brief Become the CPU of a root complex and claim the RequesterId for completions.
     * \param rc the node's root complex
     */
    void Connect(Ptr<PcieRootComplex> rc);

    /**
     * \brief Write bytes (posted: the callback runs when the last MWr has been sent).
     * \param address first byte
     * \param data the bytes (1 or more)
     * \param done callback, may be null
     * \return operation number
     */
    uint64_t Write(uint64_t address, std::vector<uint8_t> data, DoneCallback done);
    /**
     * \brief Read bytes.
     * \param address first byte
     * \param size bytes (1 or more)
     * \param done callback with the data, may be null
     * \return operation number
     */
    uint64_t Read(uint64_t address, uint32_t size, DoneCallback done);
    /**
     * \brief Atomically add to a naturally aligned little-endian integer (a
     * misaligned one or another size ends with STATUS_MISALIGNED or STATUS_BAD_SIZE,
     * no TLP sent).
     * \param address the integer
     * \param addend value to add
     * \param size 4 or 8 bytes
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t FetchAdd(uint64_t address, uint64_t addend, uint32_t size, DoneCallback done);
    /**
     * \brief Atomically replace a naturally aligned little-endian integer.
     * \param address the integer
     * \param value new value
     * \param size 4 or 8 bytes
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t Swap(uint64_t address, uint64_t value, uint32_t size, DoneCallback done);
    /**
     * \brief Atomically replace an integer if it equals a value.
     * \param address the integer
     * \param compare expected value
     * \param swap new value
     * \param size 4 or 8 bytes (16: the values zero-extended)
     * \param done callback with the original value, may be null
     * \return operation number
     */
    uint64_t CompareAndSwap(uint64_t address,
                            uint64_t compare,
                            uint64_t swap,
                            uint32_t size,
                            DoneCallback done);

    /// \return the Requester ID
    uint16_t GetRequesterId() const;
    /// \return the counters
    const Statistics& GetStatistics() const;
    /// \return the requester engine
    Ptr<TlpRequester> GetRequester() const;
    /**
     * \param confirmed called with every write confirmation (WriteConfirmation true)
     */
    void SetConfirmationCallback(ConfirmationCallback confirmed);
    /// \return operations called but not ended
    uint64_t GetPendingOperations() const;

    /**
     * \brief The bytes stream writes store: a function of address and seed. Byte
     * `address` is byte `address % 8` (least significant first) of PatternWord().
     * \param address byte address
     * \param seed the StreamSeed attribute
     * \return the byte
     */
    static uint8_t PatternByte(uint64_t address, uint32_t seed)
    {
        return static_cast<uint8_t>(PatternWord(address / 8, seed) >> (8 * (address % 8)));
    }

    /**
     * \brief Eight pattern bytes: the splitmix64 finalizer of an aligned 8-byte word's
     * index and the seed, so that every byte depends on every address bit.
     * \param word address / 8
     * \param seed the StreamSeed attribute
     * \return the bytes of addresses 8 word .. 8 word + 7, least significant first
     */
    static uint64_t PatternWord(uint64_t word, uint32_t seed)
    {
        uint64_t x = word ^ (uint64_t(seed) << 40);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        return x ^ (x >> 31);
    }

    /**
     * \brief Fill a buffer with the pattern of an address range, a word at a time.
     * \param address first byte address
     * \param seed the StreamSeed attribute
     * \param out the buffer
     * \param size bytes
     */
    static void PatternFill(uint64_t address, uint32_t seed, uint8_t* out, uint32_t size);

  protected:
    void DoDispose() override;

  private:
    void StartApplication() override;
    void StopApplication() override;

    // Attributes of the requester, forwarded to it (the CPU names itself in errors).
    /// \param value Requester ID
    void SetRequesterId(uint16_t value);
    /// \param value Max_Payload_Size, a power of two in 128..4096
    void SetMaxPayloadSize(uint32_t value);
    /// \return Max_Payload_Size
    uint32_t GetMaxPayloadSize() const;
    /// \param value Max_Read_Request_Size, a power of two in 128..4096
    void SetMaxReadRequestSize(uint32_t value);
    /// \return Max_Read_Request_Size
    uint32_t GetMaxReadRequestSize() const;
    /// \param value number of tags, 1..768
    void SetTags(uint32_t value);
    /// \return number of tags
    uint32_t GetTags() const;
    /// \param value completion timeout (requests and write confirmations)
    void SetCompletionTimeout(Time value);
    /// \return completion timeout
    Time GetCompletionTimeout() const;
    /// \param value rest of a timed-out tag
    void SetTagQuarantine(Time value);
    /// \return rest of a timed-out tag
    Time GetTagQuarantine() const;
    /// \param value traffic class of the requests
    void SetTrafficClass(uint8_t value);
    /// \return traffic class of the requests
    uint8_t GetTrafficClass() const;
    /// \param value append ECRC digests
    void SetEcrc(bool value);
    /// \return true when ECRC digests are appended
    bool GetEcrc() const;
    /// \param value writes ask for a write confirmation
    void SetWriteConfirmation(bool value);
    /// \return true when writes ask for a write confirmation
    bool GetWriteConfirmation() const;

    /**
     * \brief Place a TLP of the requester in the root complex.
     * \param tlp the TLP
     * \param h its header
     * \param op its operation
     * \return false when the root complex cannot take it now
     */
    bool SendTlp(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op);
    /// Send what can be sent, then let the stream go on if nothing waits.
    void Pump();
    /**
     * \brief Stream reads keep no data.
     * \param op the operation
     * \param offset offset of the bytes
     * \param data the bytes
     * \param size their count
     */
    void DiscardData(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \param tlp a completion the requester took
     * \param latency since its request
     */
    void CompletionTaken(Ptr<const Packet> tlp, Time latency);
    /**
     * \param tlp a TLP the requester dropped
     */
    void Dropped(Ptr<const Packet> tlp);
    /**
     * \param result an operation that ended
     */
    void OperationEnded(const Result& result);
    /**
     * \brief Receive a TLP from the root complex.
     * \param tlp the TLP (a completion)
     * \return now: the CPU takes completions at once
     */
    Time Receive(Ptr<Packet> tlp);
    /**
     * \brief Remember a write that asks for confirmation.
     * \param address its first byte
     * \param bytes its bytes
     */
    void AwaitConfirmation(uint64_t address, uint32_t bytes);
    /**
     * \brief Match a write confirmation with the write it confirms.
     * \param tlp the confirmation
     * \param h its header
     * \return false when it confirms no write of this CPU
     */
    bool ReceiveConfirmation(Ptr<const Packet> tlp, const TlpHeader& h);
    /// Issue stream operations that are due.
    void IssueStream();

    Ptr<PcieRootComplex> m_rc;     //!< the root complex
    uint32_t m_agent;              //!< our agent index in it
    Ptr<TlpRequester> m_requester; //!< forms the TLPs, matches the completions
    /// Writes awaiting confirmation: first byte to (bytes, time sent), oldest first.
    std::unordered_map<uint64_t, std::deque<std::pair<uint32_t, Time>>> m_awaiting;
    std::deque<std::pair<Time, uint64_t>> m_awaitOrder; //!< (time sent, first byte)
    ConfirmationCallback m_confirmed;                   //!< confirmation callback
    uint64_t m_unmatched; //!< TLPs the CPU dropped itself: not a completion, unmatched confirmation

    uint64_t m_streamCount;         //!< stream operations
    uint32_t m_streamSize;          //!< bytes per stream operation
    DataRate m_streamRate;          //!< stream operation rate, 0 = as fast as accepted
    uint64_t m_streamBase;          //!< stream address range start
    uint64_t m_streamRange;         //!< stream address range size
    uint64_t m_streamStride;        //!< bytes between operations (0: m_streamSize)
    uint64_t m_streamSlot;          //!< slot of StreamSize bytes the next operation uses
    double m_streamReadFraction;    //!< share of reads in the stream
    uint32_t m_streamSeed;          //!< data pattern seed
    uint64_t m_streamIssued;        //!< stream operations issued
    int64_t m_streamStartPs;        //!< stream start time, ps
    bool m_streamActive;            //!< between start and stop
    EventId m_streamEvent;          //!< next stream issue
    std::vector<uint8_t> m_scratch; //!< stream write data buffer

    bool m_inStream;            //!< IssueStream() is running
    mutable Statistics m_stats; //!< counters (the requester's copied in when asked)

    TracedCallback<Ptr<const Packet>> m_txTrace;                  //!< TLP sent
    TracedCallback<Ptr<const Packet>, Time> m_completionTrace;    //!< completion received
    TracedCallback<const Result&> m_operationTrace;               //!< operation ended
    TracedCallback<Ptr<const Packet>> m_dropTrace;                //!< TLP dropped
    TracedCallback<uint64_t, uint32_t, Time> m_confirmationTrace; //!< write confirmed
};

} // namespace ns3

#endif /* TLP_CPU_H */
