/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_NIC_DMA_H
#define TLP_NIC_DMA_H

#include "tlp-doorbell-registers.h"
#include "tlp-header.h"
#include "tlp-interconnect-port.h"
#include "tlp-requester.h"
#include "tlp-window-table.h"

#include "ns3/callback.h"
#include "ns3/packet.h"

#include <unordered_map>

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
 * to the CPU's chosen address, as MSI does. Every request goes through the NIC's
 * TlpRequester (chunking, tags, timeouts), whose send callback is Route(): a TLP
 * for a window address goes through the window, any other onto the interconnect.
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
        uint64_t readsRemote = 0;   //!< MRd TLPs sent through windows (flush reads too)
        uint64_t readsLocal = 0;    //!< MRd TLPs of local memory
        uint64_t writesRemote = 0;  //!< MWr TLPs sent through windows (DMA push)
        uint64_t writesLocal = 0;   //!< MWr TLPs to local memory (data, completion writes)
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
     * \param requester the NIC's requester engine; its send callback must be Route()
     */
    void Configure(Ptr<TlpRequester> requester);
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
     * \brief Place a TLP of the requester (its send callback).
     * \param tlp the TLP
     * \param h its header
     * \param op its operation
     * \return true: always taken
     */
    bool Route(Ptr<Packet> tlp, const TlpHeader& h, uint64_t op);
    /// \return the counters
    const Statistics& GetStatistics() const;

  private:
    /// A running descriptor.
    struct Job
    {
        uint32_t slot = 0;     //!< its slot
        TlpDescriptor d;       //!< the descriptor
        uint64_t remote = 0;   //!< window address of OFFSET
        bool flushing = false; //!< the push's flush read is out
    };

    /**
     * \brief Start a read of a job (its data, or the flush read).
     * \param job the job
     * \param address first byte
     * \param size bytes
     * \param data hand each completion's data to Data()
     */
    void Issue(const Job& job, uint64_t address, uint32_t size, bool data);
    /**
     * \param op a read operation
     * \return its job, or nullptr
     */
    Job* FindJob(uint64_t op);
    /**
     * \brief Read data of a job, as each completion arrives (requester callback).
     * \param op the read
     * \param offset offset in the job
     * \param data the bytes
     * \param size byte count
     */
    void Data(uint64_t op, uint32_t offset, const uint8_t* data, uint32_t size);
    /**
     * \brief A job's read (or its flush read) ended (requester callback).
     * \param result the read
     */
    void ReadDone(const TlpRequester::Result& result);
    /**
     * \brief End a job.
     * \param job the job
     * \param status DONE or an error
     */
    void Finish(const Job& job, uint32_t status);

    TlpWindowTable& m_windows;                //!< the NIC's windows
    TlpInterconnectPort& m_port;              //!< the NIC's interconnect
    Ptr<TlpRequester> m_requester;            //!< chunking, tags, completions
    std::unordered_map<uint64_t, Job> m_jobs; //!< running jobs by their read operation
    Job m_starting;                           //!< the job whose read is being started
    bool m_hasStarting;                       //!< m_starting is not in m_jobs yet
    SendRemoteCallback m_send;                //!< through a window
    FinishedCallback m_finished;              //!< descriptor ended
    Statistics m_stats;                       //!< counters
};

} // namespace ns3

#endif /* TLP_NIC_DMA_H */
