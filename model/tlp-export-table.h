/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_EXPORT_TABLE_H
#define TLP_EXPORT_TABLE_H

#include "tunnel-grant-header.h"

#include "ns3/callback.h"

#include <boost/icl/split_interval_map.hpp>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A sender's window granted a region of this node's memory.
 */
struct TlpExportGrant
{
    uint32_t peer = 0;          //!< the sending node
    uint16_t window = 0;        //!< its window ID
    uint64_t windowBase = 0;    //!< the window's base at the sender
    uint64_t size = 0;          //!< bytes (window and region are equal in size)
    uint64_t requestedBase = 0; //!< what the sender asked for (ANY_BASE: any)
    bool translateHere = false; //!< this NIC translates addresses
    uint8_t confirm = 0;        //!< TlpWindow::Confirm of the window
    uint32_t region = 0;        //!< index of the region
    uint32_t key = 0;           //!< region key: DATA for the window must carry it
};

/**
 * \ingroup tlp-tunnel
 * \brief A range of this node's memory exported to one or more senders' windows.
 */
struct TlpExportRegion
{
    uint64_t base = 0;            //!< first address
    uint64_t size = 0;            //!< bytes
    std::vector<uint64_t> grants; //!< keys of the grants that use it
    bool pooled = false;          //!< allocated from the pool: never shared
};

/**
 * \ingroup tlp-tunnel
 * \brief The receiving NIC's table of exported regions: an interval map with no
 * overlaps, and the grants of senders' windows onto them.
 *
 * A region is created for the first window granted onto a range; another window
 * (of the same or another sender) asking for exactly that range shares it, which is
 * how two nodes update one counter with atomics; a range that only overlaps one is
 * refused. Regions asked for "anywhere" come from a pool, first fit, and belong to
 * their window alone: an explicit request that overlaps one, even exactly, is refused.
 * A request is looked up by (sender, window ID) per packet; the region that contains
 * an address by the interval map.
 */
class TlpExportTable
{
  public:
    /// Decides whether [base, base + size) is memory of this node.
    typedef Callback<bool, uint64_t, uint64_t> MemoryCheck;

    TlpExportTable();

    /**
     * \param base first address of the pool of regions granted "anywhere"
     * \param size bytes of the pool
     */
    void SetPool(uint64_t base, uint64_t size);
    /**
     * \brief Grant a region to a sender's window (or find the one it holds).
     * \param peer the sending node
     * \param window its window ID
     * \param request the GRANT_REQUEST body
     * \param isMemory tells whether a range is memory of this node
     * \param key the region key of a new grant (a grant the window holds keeps its own)
     * \param[out] regionBase the region's base when granted
     * \param[out] grantKey the grant's key when granted
     * \return a TunnelGrantHeader::Status
     */
    uint8_t Grant(uint32_t peer,
                  uint16_t window,
                  const TunnelGrantHeader& request,
                  MemoryCheck isMemory,
                  uint32_t key,
                  uint64_t& regionBase,
                  uint32_t& grantKey);
    /**
     * \param peer a sending node
     * \param window its window ID
     * \return the grant, or nullptr
     */
    const TlpExportGrant* Find(uint32_t peer, uint16_t window) const;
    /**
     * \param peer a sending node
     * \param address an address of this node
     * \return a grant of that sender whose region contains the address, or nullptr
     */
    const TlpExportGrant* FindByAddress(uint32_t peer, uint64_t address) const;
    /**
     * \param index a region index (TlpExportGrant::region)
     * \return the region
     */
    const TlpExportRegion& GetRegion(uint32_t index) const;
    /**
     * \brief Release a window's grant; the region goes when its last grant does.
     * \param peer the sending node
     * \param window its window ID
     * \return false when there was no such grant
     */
    bool Release(uint32_t peer, uint16_t window);
    /// \return regions exported
    uint32_t GetNRegions() const;
    /// \return grants held
    uint32_t GetNGrants() const;
    /// Forget everything.
    void Clear();

  private:
    /**
     * \param peer a node
     * \param window a window ID
     * \return the grants' key
     */
    static uint64_t Key(uint32_t peer, uint16_t window);
    /**
     * \param base first address
     * \param size bytes
     * \param[out] region the region equal to the range, if one is
     * \return true when the range overlaps no region, or equals one not from the pool
     */
    bool Free(uint64_t base, uint64_t size, int64_t& region) const;
    /**
     * \param size bytes
     * \param[out] base first fit in the pool
     * \return false when the pool has no room
     */
    bool Allocate(uint64_t size, uint64_t& base) const;

    uint64_t m_poolBase;                                   //!< pool start
    uint64_t m_poolSize;                                   //!< pool bytes
    std::vector<TlpExportRegion> m_regions;                //!< regions (size 0: released)
    std::unordered_map<uint64_t, TlpExportGrant> m_grants; //!< by (sender, window)
    /// Address ranges to region index + 1 (0 is the map's neutral element).
    boost::icl::split_interval_map<uint64_t, uint32_t> m_map;
};

} // namespace ns3

#endif /* TLP_EXPORT_TABLE_H */
