/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_WINDOW_TABLE_H
#define TLP_WINDOW_TABLE_H

#include "ns3/event-id.h"

#include <boost/icl/split_interval_map.hpp>
#include <deque>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief One receiver of a window: the node, the region it granted, the grant's state.
 */
struct TlpWindowReceiver
{
    /// Where the grant stands.
    enum State : uint8_t
    {
        REQUESTING = 0, ///< GRANT_REQUEST sent, no answer yet
        GRANTED,        ///< the receiver granted a region
        REFUSED,        ///< the receiver refused (reason: a TunnelGrantHeader::Status)
        FAILED          ///< no answer after the retry limit
    };

    uint32_t peer = 0;          //!< receiving node
    uint64_t requestedBase = 0; //!< region asked for (TunnelGrantHeader::ANY_BASE: any)
    uint64_t regionBase = 0;    //!< region base at the receiver (valid once granted)
    State state = REQUESTING;   //!< the grant's state
    uint8_t reason = 0;         //!< TunnelGrantHeader::Status of a refusal
    uint32_t nonce = 0;         //!< of the GRANT_REQUEST, echoed by the GRANT
    uint32_t key = 0;           //!< region key of the GRANT, carried by every DATA packet
    uint32_t attempts = 0;      //!< GRANT_REQUEST packets sent
    EventId retry;              //!< GRANT_REQUEST retransmission
    uint32_t remapGen = 0;      //!< memory-ID window: generation of the latest REMAP heard
    uint32_t switchSeq = 0;     //!< and its switch sequence
};

/**
 * \ingroup tlp-tunnel
 * \brief One window: a range of the sending node's address space that stands for
 * regions of receiving nodes' memories.
 *
 * A window has a set of receivers, each with its own region (one today; several make
 * a multicast window). Its ID travels in the tunnel header and is never reused.
 */
struct TlpWindow
{
    /// Where the address translation happens.
    enum TranslateAt : uint8_t
    {
        SENDER = 0,  ///< the sending NIC edits the address before encapsulation
        RECEIVER = 1 ///< the receiving NIC edits it after extraction
    };

    /// Who confirms a write that asks for confirmation (claims 12-18).
    enum Confirm : uint8_t
    {
        CONFIRM_NONE = 0,        ///< nobody: writes stay posted, as in PCIe
        CONFIRM_SENDER_NIC = 1,  ///< the sending NIC, early; it keeps the copy (claims 12-13)
        CONFIRM_MEMORY = 2,      ///< the receiver's memory; address translated back where
                                 ///< the window translates (claims 14-16)
        CONFIRM_RECEIVER_NIC = 3 ///< the receiving NIC; it keeps a copy for its memory
                                 ///< (claims 17-18)
    };

    uint16_t id = 0;                          //!< window ID, carried in the tunnel header
    uint64_t base = 0;                        //!< first local address
    uint64_t size = 0;                        //!< bytes
    TranslateAt translateAt = SENDER;         //!< where the address is translated
    Confirm confirm = CONFIRM_NONE;           //!< who confirms writes
    bool removed = false;                     //!< RemoveWindow() took it away
    bool byMemoryId = false;                  //!< names (receiver, memory ID), claim 35
    uint16_t memoryId = 0;                    //!< the memory ID when byMemoryId
    std::vector<TlpWindowReceiver> receivers; //!< the receivers

    /// \return the first receiver's node
    uint32_t GetPeer() const
    {
        return receivers.front().peer;
    }

    /// \return the first receiver's region base (valid once granted)
    uint64_t GetRegionBase() const
    {
        return receivers.front().regionBase;
    }

    /// \return true when every receiver granted its region
    bool IsGranted() const;
    /// \return true when a receiver refused or did not answer
    bool IsRefused() const;
    /**
     * \param peer a node
     * \return its receiver entry, or nullptr
     */
    TlpWindowReceiver* FindReceiver(uint32_t peer);
    /**
     * \param peer a node
     * \return its receiver entry, or nullptr
     */
    const TlpWindowReceiver* FindReceiver(uint32_t peer) const;

    /**
     * \param address an address inside the window
     * \param receiver one of its receivers
     * \return the corresponding address in that receiver's region
     */
    uint64_t Translate(uint64_t address, const TlpWindowReceiver& receiver) const
    {
        return receiver.regionBase + (address - base);
    }

    /**
     * \param address an address
     * \param span bytes from it
     * \return true when [address, address + span) lies inside the window
     */
    bool Contains(uint64_t address, uint64_t span) const
    {
        return address >= base && span <= size && address - base <= size - span;
    }
};

/**
 * \ingroup tlp-tunnel
 * \brief The windows of a NIC, found by address through a boost::icl interval map.
 *
 * Adding an empty window, or one that overlaps another, stops the simulation with
 * a message naming both ranges. A removed window keeps its ID (IDs are never reused,
 * so a late packet can never be taken for a new window's). Windows live in a deque:
 * adding one never moves the others, but callers still look a window up again by ID
 * after anything that may run a trace sink.
 */
class TlpWindowTable
{
  public:
    TlpWindowTable();

    /**
     * \brief Add a window; its ID is the next unused one.
     * \param window the window (id is assigned)
     * \return the window's ID
     */
    uint16_t Add(TlpWindow window);
    /**
     * \brief Remove a window: its range no longer decodes, its ID stays taken.
     * \param id a window ID
     * \return false when there is no such window
     */
    bool Remove(uint16_t id);
    /**
     * \param address a local address
     * \return the window containing it, or nullptr
     */
    TlpWindow* Find(uint64_t address);
    /**
     * \param id a window ID
     * \return the window, or nullptr (also when removed)
     */
    TlpWindow* Get(uint16_t id);
    /**
     * \param id a window ID
     * \return the window, or nullptr (also when removed)
     */
    const TlpWindow* Get(uint16_t id) const;
    /// \return number of window IDs given out (removed windows included)
    uint16_t GetN() const;
    /// Cancel every retransmission timer and forget the windows.
    void Clear();

  private:
    std::deque<TlpWindow> m_windows; //!< windows by ID
    /// Address ranges to window ID + 1 (0 is the map's neutral element).
    boost::icl::split_interval_map<uint64_t, uint32_t> m_map;
};

} // namespace ns3

#endif /* TLP_WINDOW_TABLE_H */
