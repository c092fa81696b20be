/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_NIC_DMA_H
#define TLP_NIC_DMA_H

#include "tlp-doorbell-registers.h"
#include "tlp-header.h"
#include "tlp-interconnect-port.h"
#include "tlp-request-tracker.h"
#include "tlp-window-table.h"

#include "ns3/callback.h"
#include "ns3/packet.h"

#include <map>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief The NIC's DMA engine: runs the descriptors its doorbell starts.
 *
 * A remote read (OP_READ, claim 38) sends MRd requests through the window and
 * writes each completion's data to local memory as it arrives; a DMA push
 * (OP_PUSH, claims 33-34) reads local memory with MRd requests on the NIC's
 * interconnect and turns each read completion, as it arrives, into MWr requests
 * through the window, the path of the CPU's own writes (translation, reliable
 * delivery and confirmations apply). The descriptor ends when its data is in place:
 * for a read, when the last local write has been placed on the interconnect, before
 * the completion write, which PCIe ordering keeps behind it (a posted write passes
 * no posted write); for a push, when a one-byte read of the last byte written
 * completes at the receiver (a read passes no write before it: the flush read of
 * PCIe). Then, with FLAG_NOTIFY, the engine writes the completion (value and status)
 * to the CPU's chosen address, as MSI does.
 */
class TlpNicDma
{
  public:
    /// Send a request of the NIC through its window: (TLP, header).
    typedef Callback<void, Ptr<Packet>, const TlpHeader&> SendRemoteCallback;
    /// A descriptor ended: (slot, status).
    typedef Callback<void, uint32_t, uint32_t> FinishedCallback;

    /// Counters.
    struct Statistics
    {
        uint64_t readsRemote = 0;   //!< MRd requests sent through windows (flush reads too)
        uint64_t readsLocal = 0;    //!< MRd requests of local memory
        uint64_t writesRemote = 0;  //!< MWr requests sent through windows (DMA push)
        uint64_t writesLocal = 0;   //!< MWr requests to local memory (data, completion writes)
        uint64_t bytesRead = 0;     //!< bytes read remotely and placed in local memory
        uint64_t bytesPushed = 0;   //!< bytes pushed to remote memory
        uint64_t notifications = 0; //!< completion writes
    };

    /**
     * \param windows the NIC's windows
     * \param port the NIC's port on its interconnect
     */
    TlpNicDma(TlpWindowTable& windows, TlpInterconnectPort& port);

    /**
     * \param requesterId the NIC's Requester ID
     * \param maxReadRequestSize MRRS of its reads, bytes
     * \param maxPayloadSize MPS of its writes, bytes
     */
    void Configure(uint16_t requesterId, uint32_t maxReadRequestSize, uint32_t maxPayloadSize);
    /**
     * \param send sends a request through a window
     * \param finished a descriptor ended
     */
    void SetCallbacks(SendRemoteCallback send, FinishedCallback finished);
    /// Cancel every request and forget the descriptors.
    void Clear();

    /**
     * \brief The engine's checks of a descriptor (TlpDoorbell::CheckCallback).
     * \param d the descriptor
     * \return 0, or a TlpDoorbellRegisters::Status
     */
    uint32_t Check(const TlpDescriptor& d);
    /**
     * \brief Run a checked descriptor.
     * \param slot its slot
     * \param d the descriptor
     */
    void Start(uint32_t slot, const TlpDescriptor& d);
    /**
     * \brief Write a descriptor's completion, if it asks for one and its address is valid.
     * \param d the descriptor
     * \param status its final status
     */
    void Notify(const TlpDescriptor& d, uint32_t status);
    /**
     * \brief A completion for one of the NIC's requests.
     * \param tlp the completion
     * \param h its header
     * \return what the tracker made of it
     */
    TlpRequestTracker::Outcome Receive(Ptr<const Packet> tlp, const TlpHeader& h);
    /// \return the counters
    const Statistics& GetStatistics() const;
    /// \return the requester's tag and completion state
    const TlpRequestTracker& GetTracker() const;

  private:
    /// A running descriptor.
    struct Job
    {
        uint32_t slot = 0;     //!< its slot
        TlpDescriptor d;       //!< the descriptor
        uint64_t remote = 0;   //!< window address of OFFSET
        uint64_t issued = 0;   //!< bytes requested so far
        uint32_t pending = 0;  //!< requests not yet ended
        uint32_t status = 0;   //!< first error, 0 while none
        bool flushing = false; //!< the push's flush read is out
    };

    /// Issue requests of running jobs while tags are free.
    void Pump();
    /**
     * \brief Send one read request.
     * \param cookie the job
     * \param offset offset of its first byte in the job
     * \param address its first byte
     * \param bytes its bytes
     * \param remote through the window (true) or to local memory
     */
    void SendRead(uint64_t cookie, uint32_t offset, uint64_t address, uint32_t bytes, bool remote);
    /**
     * \brief Write bytes, in MPS pieces, to local memory or through the window.
     * \param address first byte
     * \param data the bytes
     * \param size byte count
     * \param remote through the window (true) or to local memory
     */
    void WriteBytes(uint64_t address, const uint8_t* data, uint32_t size, bool remote);
    /**
     * \brief Completion data (tracker callback).
     * \param cookie the job
     * \param offset offset in the job
     * \param data the bytes
     * \param size byte count
     */
    void Data(uint64_t cookie, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \brief A request ended (tracker callback).
     * \param cookie the job
     * \param status its status
     */
    void Ended(uint64_t cookie, uint8_t status);
    /**
     * \brief End a job whose requests have all ended.
     * \param cookie the job
     */
    void Complete(uint64_t cookie);

    TlpWindowTable& m_windows;      //!< the NIC's windows
    TlpInterconnectPort& m_port;    //!< the NIC's interconnect
    uint16_t m_requesterId;         //!< Requester ID
    uint32_t m_maxReadRequestSize;  //!< MRRS
    uint32_t m_maxPayloadSize;      //!< MPS
    TlpRequestTracker m_tracker;    //!< tags and completions
    std::map<uint64_t, Job> m_jobs; //!< running jobs by cookie (slot + 1), in slot order
    SendRemoteCallback m_send;      //!< through a window
    FinishedCallback m_finished;    //!< descriptor ended
    Statistics m_stats;             //!< counters
};

} // namespace ns3

#endif /* TLP_NIC_DMA_H */
