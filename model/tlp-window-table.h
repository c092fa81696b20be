/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_WINDOW_TABLE_H
#define TLP_WINDOW_TABLE_H

#include "ns3/event-id.h"
#include "ns3/packet.h"

#include <boost/icl/split_interval_map.hpp>
#include <deque>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief One window: a range of the sending node's address space that stands for
 * a region of a receiving node's memory.
 */
struct TlpWindow
{
    /// Where the address translation happens.
    enum TranslateAt : uint8_t
    {
        SENDER = 0,  ///< the sending NIC edits the address before encapsulation
        RECEIVER = 1 ///< the receiving NIC edits it after extraction
    };

    uint16_t id = 0;                  //!< window ID, carried in the tunnel header
    uint64_t base = 0;                //!< first local address
    uint64_t size = 0;                //!< bytes
    uint32_t peer = 0;                //!< receiving node
    uint64_t requestedBase = 0;       //!< region asked for (TunnelGrantHeader::ANY_BASE: any)
    TranslateAt translateAt = SENDER; //!< where the address is translated
    bool granted = false;             //!< the receiver's GRANT arrived
    bool refused = false;             //!< the receiver refused the region
    uint64_t regionBase = 0;          //!< region base at the receiver (valid once granted)
    /// TLPs that arrived before the grant, with the interconnect credits they hold.
    std::deque<std::pair<Ptr<Packet>, uint32_t>> pending;
    EventId retry; //!< GRANT_REQUEST retransmission

    /**
     * \param address an address inside the window
     * \return the corresponding address in the receiver's region
     */
    uint64_t Translate(uint64_t address) const
    {
        return regionBase + (address - base);
    }
};

/**
 * \ingroup tlp-tunnel
 * \brief The windows of a NIC, found by address through a boost::icl interval map.
 *
 * Adding an empty window, or one that overlaps another, stops the simulation with
 * a message naming both ranges.
 */
class TlpWindowTable
{
  public:
    TlpWindowTable();

    /**
     * \brief Add a window; its ID is its index.
     * \param window the window (id is assigned)
     * \return the window's ID
     */
    uint16_t Add(TlpWindow window);
    /**
     * \param address a local address
     * \return the window containing it, or nullptr
     */
    TlpWindow* Find(uint64_t address);
    /**
     * \param id a window ID
     * \return the window, or nullptr
     */
    TlpWindow* Get(uint16_t id);
    /// \return number of windows
    uint16_t GetN() const;

  private:
    std::vector<TlpWindow> m_windows; //!< windows by ID
    /// Address ranges to window ID + 1 (0 is the map's neutral element).
    boost::icl::split_interval_map<uint64_t, uint32_t> m_map;
};

} // namespace ns3

#endif /* TLP_WINDOW_TABLE_H */
