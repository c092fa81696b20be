/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef PCIE_LINK_H
#define PCIE_LINK_H

#include "ns3/channel.h"
#include "ns3/data-rate.h"
#include "ns3/net-device.h"
#include "ns3/nstime.h"

#include <deque>

namespace ns3
{

class PciePort;

/**
 * \ingroup tlp-tunnel
 * \brief A PCI Express link between two ports: its physical and data link layers as
 * arithmetic on the time each direction is busy.
 *
 * The link joins an upstream port (a root port or a switch's downstream port) and a
 * downstream port (an endpoint or a switch's upstream port). Each direction is a
 * wire of Width lanes at the Generation's rate (2.5, 5, 8, 16, 32 GT/s; 8b/10b line
 * encoding for Gen1/2, 128b/130b from Gen3). A TLP occupies the wire for its bytes
 * plus 8 bytes of framing (Gen1/2: STP, sequence number, LCRC, END; Gen3 on: STP
 * token with the sequence number, LCRC) and arrives Latency after its last byte.
 *
 * With Accounting SPEC the link also carries, as occupancy of the direction they
 * travel on and never as events of their own:
 *
 * - Ack DLLPs (8 bytes) from the receiver of TLPs back to their sender, at most one
 *   per AckLatency while TLPs arrive (the spec's Ack latency limits for the width,
 *   rate and Max_Payload_Size unless the attribute sets it);
 * - UpdateFC DLLPs (8 bytes) from a receiver returning credits, one per credit class
 *   per UpdateFcLatency (the spec's UpdateFC latency guidelines), or at once when the
 *   transmitter waits for those credits with nothing else to send;
 * - SKP ordered sets: 4 symbols every SkpInterval symbol times (8b/10b) or one block
 *   every SkpInterval blocks (128b/130b), which reduce the rate every byte sees.
 *
 * A DLLP takes its place before the first TLP that starts after it is due, or in
 * the idle time before it. With Accounting PCIE_BENCH the link applies instead the
 * assumptions of pcie-bench's model (Neugebauer et al., SIGCOMM 2018): every
 * direction's rate is reduced by 8/AckLimit + 8/UpdateFcLimit + 4/1538, the table
 * values taken as bytes, and no DLLP or SKP occupies the wire separately.
 */
class PcieLink : public Channel
{
  public:
    /// How the link accounts for what it sends besides TLPs.
    enum Accounting : uint8_t
    {
        SPEC = 0,  ///< DLLPs on the direction they travel, SKP ordered sets (the specification)
        PCIE_BENCH ///< pcie-bench's model: its deductions from every direction's rate
    };

    /// The two directions of a link.
    enum Direction : uint8_t
    {
        DOWNSTREAM = 0, ///< from the upstream port to the downstream port
        UPSTREAM = 1    ///< from the downstream port to the upstream port
    };

    /// What one direction of the link carried.
    struct Statistics
    {
        uint64_t tlps = 0;      //!< TLPs placed on the wire
        uint64_t tlpBytes = 0;  //!< their bytes, framing excluded
        uint64_t acks = 0;      //!< Ack DLLPs sent on this direction
        uint64_t updateFcs = 0; //!< UpdateFC DLLPs sent on this direction
    };

    /**
     * \brief Get the type ID.
     * \return the object TypeId
     */
    static TypeId GetTypeId();
    PcieLink();
    ~PcieLink() override;

    /**
     * \brief Join two ports.
     * \param upstream the port nearer the root complex (root port, switch downstream port)
     * \param downstream the other one (endpoint, switch upstream port)
     */
    void Attach(Ptr<PciePort> upstream, Ptr<PciePort> downstream);
    /// \return the upstream port
    Ptr<PciePort> GetUpstreamPort() const;
    /// \return the downstream port
    Ptr<PciePort> GetDownstreamPort() const;

    /// \return the generation, 1..5
    uint32_t GetGeneration() const;
    /// \return the number of lanes
    uint32_t GetWidth() const;
    /// \return the accounting mode
    Accounting GetAccounting() const;
    /// \return the rate of one direction after line encoding, all lanes
    DataRate GetDataRate() const;
    /**
     * \return the rate TLP and DLLP bytes see: the data rate less SKP ordered sets
     * (SPEC) or less pcie-bench's deductions (PCIE_BENCH), bits per second
     */
    double GetEffectiveBitRate() const;
    /// \return framing bytes per TLP
    uint32_t GetFramingBytes() const;
    /// \return bytes of one DLLP with its framing
    uint32_t GetDllpBytes() const;
    /// \return one symbol time (10 UI for 8b/10b, 8 UI for 128b/130b)
    Time GetSymbolTime() const;
    /// \return the latency from the end of serialization to delivery, one way
    Time GetLatency() const;
    /// \return the longest time between Acks while TLPs arrive
    Time GetAckLatency() const;
    /// \return the longest time between UpdateFCs of a class while credits return
    Time GetUpdateFcLatency() const;
    /// \return the share of wire time SKP ordered sets take (SPEC accounting)
    double GetSkpFraction() const;
    /// \return the share of the rate pcie-bench's model deducts (Ack, UpdateFC, SKP)
    double GetPcieBenchDeduction() const;
    /**
     * \param tlpBytes TLP size (header, data, digest)
     * \return time the TLP and its framing occupy one direction, at the simulator's
     *         resolution
     */
    Time GetSerializationTime(uint32_t tlpBytes) const;
    /**
     * \param tlpBytes TLP size (header, data, digest)
     * \return time the TLP and its framing occupy one direction, in picoseconds
     */
    double GetSerializationPs(uint32_t tlpBytes) const;
    /**
     * \param dir a direction
     * \return what it carried
     */
    const Statistics& GetStatistics(Direction dir) const;

    /**
     * \brief The spec's Ack latency limit (and UpdateFC latency guideline) in symbol times.
     *
     * PCI Express Base Specification Rev. 5.0, Tables 3-7 to 3-9 (maximum Ack latency
     * for 2.5, 5.0 and 8.0 GT/s) and Tables 2-46 to 2-48 (UpdateFC transmission
     * latency guidelines), which give the same values: ((Max_Payload_Size + 28) x
     * AckFactor / width) + internal delay. 16 and 32 GT/s use the 8.0 GT/s values.
     * \param generation 1..5
     * \param width 1, 2, 4, 8 or 16
     * \param mps Max_Payload_Size, 128..4096
     * \return symbol times
     */
    static uint32_t GetSpecLatencySymbols(uint32_t generation, uint32_t width, uint32_t mps);

    /**
     * \brief Place a TLP on one direction (used by the ports).
     * \param dir the direction
     * \param readyPs earliest start, ps
     * \param tlpBytes TLP size (header, data, digest)
     * \param gapPs idle time the transmitter leaves after it, ps
     * \return the time its last byte has crossed the link and the latency, ps
     */
    int64_t Transmit(Direction dir, int64_t readyPs, uint32_t tlpBytes, int64_t gapPs = 0);
    /**
     * \brief The receiver of a direction frees credits of one class (used by the ports).
     * \param dir the direction the TLPs came on (the UpdateFC goes the other way)
     * \param flowClass the credit class, 0..2 (PciePort::FlowClass)
     * \param releasePs when the credits are freed, ps
     * \param waiting TLPs of the class wait for credits at the transmitter
     * \return when the transmitter sees the credits, ps
     */
    int64_t ReturnCredits(Direction dir, uint8_t flowClass, int64_t releasePs, bool waiting);

    // Channel
    std::size_t GetNDevices() const override;
    Ptr<NetDevice> GetDevice(std::size_t i) const override;

  protected:
    void DoDispose() override;

  private:
    /// State of one direction: the wire and, at its receiving end, the Ack timer.
    struct Wire
    {
        int64_t freePs = 0;    //!< the wire is idle from here on, ps
        double carryPs = 0;    //!< fraction of a ps the last placement left over
        int64_t ackDuePs = -1; //!< the Ack covering TLPs arrived so far is sent then
        int64_t fcDuePs[3] = {-1,
                              -1,
                              -1}; //!< pending UpdateFC per class (for this direction's TLPs)
        /// DLLPs due on this direction and not yet placed, by due time.
        std::deque<int64_t> dllps;
        Statistics stats; //!< counters
    };

    /// Recompute the derived timing after an attribute changed.
    void Update();
    /**
     * \param value 1..5
     */
    void SetGeneration(uint32_t value);
    /**
     * \param value 1, 2, 4, 8 or 16
     */
    void SetWidth(uint32_t value);
    /**
     * \param value Max_Payload_Size used for the latency tables
     */
    void SetMaxPayloadSize(uint32_t value);
    /// \return Max_Payload_Size used for the latency tables
    uint32_t GetMaxPayloadSize() const;
    /**
     * \param value the one-way latency
     */
    void SetLatency(Time value);
    /**
     * \param value AckLatency (0: the spec's table)
     */
    void SetAckLatency(Time value);
    /**
     * \param value UpdateFcLatency (0: the spec's table)
     */
    void SetUpdateFcLatency(Time value);
    /**
     * \param value SkpInterval (0: the spec's longest)
     */
    void SetSkpInterval(uint32_t value);
    /// \return the AckLatency attribute
    Time GetAckLatencySetting() const;
    /// \return the UpdateFcLatency attribute
    Time GetUpdateFcLatencySetting() const;
    /// \return the SkpInterval attribute
    uint32_t GetSkpInterval() const;
    /**
     * \param value an Accounting
     */
    void SetAccounting(Accounting value);
    /**
     * \brief Place the DLLPs due before a TLP that is ready at readyPs.
     * \param w the wire
     * \param readyPs the TLP's earliest start
     */
    void PlaceDllps(Wire& w, int64_t readyPs);
    /**
     * \brief Place the DLLPs due by now on a wire that holds many.
     * \param w the wire
     */
    void TrimDllps(Wire& w);
    /**
     * \brief A DLLP falls due on a wire.
     * \param w the wire
     * \param duePs when, ps
     */
    static void AddDllp(Wire& w, int64_t duePs);
    /**
     * \param w the wire
     * \param startPs start of an occupancy, ps
     * \param durationPs its length, ps (fractional)
     */
    void Occupy(Wire& w, int64_t startPs, double durationPs);

    Ptr<PciePort> m_ports[2]; //!< upstream, downstream
    uint32_t m_generation;    //!< 1..5
    uint32_t m_width;         //!< lanes
    uint32_t m_mps;           //!< Max_Payload_Size for the latency tables
    Accounting m_accounting;  //!< accounting mode
    Time m_latency;           //!< one-way latency
    Time m_ackLatencyAttr;    //!< AckLatency attribute (0: table)
    Time m_fcLatencyAttr;     //!< UpdateFcLatency attribute (0: table)
    uint32_t m_skpInterval;   //!< SkpInterval attribute (0: the spec's)

    double m_rawBps;       //!< after line encoding, all lanes
    double m_psPerByte;    //!< wire time of one byte after SKP or deductions, ps
    double m_dllpPs;       //!< wire time of one DLLP
    int64_t m_dllpWholePs; //!< the same, rounded to the picosecond
    int64_t m_ackPs;       //!< Ack latency, ps
    int64_t m_fcPs;        //!< UpdateFC latency, ps
    int64_t m_latencyPs;   //!< one-way latency, ps
    double m_skpFraction;  //!< SKP share of the wire
    double m_deduction;    //!< pcie-bench's deduction
    Wire m_wire[2];        //!< downstream, upstream
};

} // namespace ns3

#endif /* PCIE_LINK_H */
