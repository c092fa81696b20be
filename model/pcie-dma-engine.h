/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_DMA_ENGINE_H
#define PCIE_DMA_ENGINE_H

#include "pcie-port.h"
#include "tlp-requester.h"

#include "ns3/callback.h"
#include "ns3/data-rate.h"
#include "ns3/event-id.h"
#include "ns3/nstime.h"
#include "ns3/object.h"
#include "ns3/traced-callback.h"

#include <deque>
#include <unordered_map>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A device's DMA engine on a PCIe link: it moves data between host memory and
 * the device, as the DMA engines pcie-bench measures do.
 *
 * A transfer writes `size` bytes to host memory (MWr requests of at most
 * MaxPayloadSize bytes, split at naturally aligned boundaries) or reads them (MRd
 * requests of at most MaxReadRequestSize bytes, each with a tag; completions are
 * matched and checked): the engine's TlpRequester forms the requests, configured
 * from the engine's attributes at Attach(). The engine starts the next transfer
 * ReadCost after a read and WriteCost after a write, and has at most MaxOutstanding
 * reads in flight. A device copies a transfer's data between its own memory and
 * the link at CopyRate (store and forward): a write's requests leave once copied, a
 * read ends when its last completion has arrived, Latency has passed (the device's
 * handling) and its data is copied. A write ends when its last MWr is on the link.
 * Streams of transfers walk a window of host memory in slots of cache lines.
 *
 * The defaults are those of the NFP6000's DMA engine in pcie-bench's measurements
 * (host nfp6000-1.2GHz_hsw-Xeon-E5-2637v3_supermicro): 47.4 million writes and 60
 * million reads started per second at most (WriteCost 21 ns, ReadCost 17 ns at the
 * simulator's nanosecond resolution), 33 reads in flight, 300 ns of handling and a
 * 6.94 GB/s copy for reads. Set them to 0 for an engine without limits.
 */
class PcieDmaEngine : public Object
{
  public:
    /// Callback when a transfer ends: (status, latency from its start).
    typedef Callback<void, uint8_t, Time> DoneCallback;

    /// Bytes of a host cache line: Stream()'s slots are multiples of it.
    static constexpr uint32_t CACHE_LINE = 64;

    /// Counters of what the engine did.
    struct Statistics
    {
        uint64_t transfers = 0; //!< transfers ended
        uint64_t errors = 0;    //!< transfers ended with a status other than SC
        uint64_t bytes = 0;     //!< bytes moved by ended transfers
        uint64_t tlps = 0;      //!< requests sent
        Time firstEnd;          //!< when the first transfer ended
        Time lastEnd;           //!< when the last one ended
        Time latencySum;        //!< sum of transfer latencies
    };

    /**
     * TracedCallback signature for ended transfers.
     * \param [in] bytes the transfer's size
     * \param [in] latency from its start to its end
     */
    typedef void (*TransferTracedCallback)(uint32_t bytes, Time latency);

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PcieDmaEngine();
    ~PcieDmaEngine() override;

    /**
     * \brief Become the device at the end of a PCIe link; claim the RequesterId.
     * \param port the device's end of the link
     */
    void Attach(Ptr<PciePort> port);

    /**
     * \brief Queue one transfer.
     * \param read true to read host memory, false to write it
     * \param address first byte in host memory
     * \param size bytes, 1 or more
     * \param done called when it ends, may be null
     */
    void Transfer(bool read, uint64_t address, uint32_t size, DoneCallback done);
    /**
     * \brief Queue `count` transfers of `size` bytes, each at the next slot of the
     * window [base, base + window), wrapping; slots are `size` rounded up to CACHE_LINE
     * bytes, as pcie-bench places its DMAs.
     * \param read true to read host memory, false to write it
     * \param base window base
     * \param window window bytes (at least one slot)
     * \param size bytes per transfer
     * \param count transfers
     */
    void Stream(bool read, uint64_t base, uint64_t window, uint32_t size, uint64_t count);

    /// \return the counters
    const Statistics& GetStatistics() const;
    /// \return transfers queued or in flight
    uint64_t GetPending() const;

  protected:
    void DoDispose() override;

  private:
    /// A transfer waiting to start or in flight.
    struct Job
    {
        bool read;          //!< direction
        uint64_t address;   //!< first byte
        uint32_t size;      //!< bytes
        DoneCallback done;  //!< callback
        Time start;         //!< when it started
        uint8_t status = 0; //!< its requests' status
    };

    /// Start the transfers that are due; send what the port takes.
    void Pump();
    /**
     * \param id a transfer: hand it to the requester
     */
    void Split(uint64_t id);
    /**
     * \brief Place a request on the link; a write's leaves once copied.
     * \param tlp the request
     * \param h its header
     * \param op its requester operation
     * \return false when the port cannot take it now
     */
    bool SendRequest(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op);
    /**
     * \brief A TLP from the link (completions).
     * \param tlp the TLP
     */
    void Receive(Ptr<Packet> tlp);
    /**
     * \brief Completion data (the engine keeps none).
     * \param op the requester operation
     * \param offset offset in it
     * \param data bytes
     * \param size byte count
     */
    void Data(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \brief The requester ended a transfer's operation (a read's last completion, a
     * write's last request sent).
     * \param result the operation
     */
    void OperationDone(const TlpRequester::Result& result);
    /**
     * \param id a transfer whose requests have all ended
     */
    void Finish(uint64_t id);
    /**
     * \param id the transfer, ended after the device's Latency
     */
    void End(uint64_t id);
    /**
     * \param bytes a transfer's size
     * \return time to copy them at CopyRate
     */
    Time CopyTime(uint32_t bytes) const;

    Ptr<PciePort> m_port;          //!< our end of the link
    uint16_t m_requesterId;        //!< Requester ID
    uint32_t m_maxPayloadSize;     //!< Max_Payload_Size
    uint32_t m_maxReadRequestSize; //!< Max_Read_Request_Size
    uint32_t m_tags;               //!< tags
    uint32_t m_maxOutstanding;     //!< reads in flight at most, 0: unlimited
    Time m_readCost;               //!< engine time per read started
    Time m_writeCost;              //!< engine time per write started
    DataRate m_copyRate;           //!< copies to and from device memory, 0: none
    Time m_latency;                //!< device handling at the end of a read
    Time m_completionTimeout;      //!< request timeout

    Ptr<TlpRequester> m_requester;                  //!< forms the requests, tags, completions
    std::unordered_map<uint64_t, Job> m_jobs;       //!< transfers by number
    std::unordered_map<uint64_t, uint64_t> m_opJob; //!< requester operation to transfer
    std::deque<uint64_t> m_waiting;                 //!< transfers not yet started
    uint64_t m_nextJob;                             //!< number of the next transfer
    uint32_t m_readsInFlight;                       //!< reads started and not ended
    Time m_nextStart;                               //!< the engine is free to start then
    EventId m_pumpEvent;                            //!< next Pump()
    Statistics m_stats;                             //!< counters
    TracedCallback<uint32_t, Time> m_transferTrace; //!< transfer ended
};

} // namespace ns3

#endif /* PCIE_DMA_ENGINE_H */
