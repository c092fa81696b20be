/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef SPARSE_MEMORY_H
#define SPARSE_MEMORY_H

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace ns3
{

/**
 * \ingroup tlp-tunnel
 * \brief A byte-addressed store over a 64-bit address space that allocates only
 * the pages that have been written.
 *
 * Untouched bytes read as zero and cost nothing, so a node may model terabytes of
 * address space while the simulation holds only what its workload wrote.
 */
class SparseMemory
{
  public:
    /// Allocation granule, in bytes.
    static constexpr uint32_t PAGE_SIZE = 4096;

    SparseMemory();

    /**
     * \brief Store bytes.
     * \param address address of the first byte
     * \param data the bytes
     * \param size number of bytes
     */
    void Write(uint64_t address, const uint8_t* data, uint32_t size);
    /**
     * \brief Load bytes; bytes never written read as zero.
     * \param address address of the first byte
     * \param[out] data where the bytes go
     * \param size number of bytes
     */
    void Read(uint64_t address, uint8_t* data, uint32_t size) const;
    /**
     * \param address a byte address
     * \return the byte stored there (zero if never written)
     */
    uint8_t ReadByte(uint64_t address) const;
    /// \return the number of pages allocated so far
    uint64_t GetAllocatedPages() const;
    /// \return the base addresses of the allocated pages, in ascending order
    std::vector<uint64_t> GetAllocatedPageAddresses() const;

  private:
    /**
     * \param page page number (address / PAGE_SIZE)
     * \return the page's bytes, allocated (zeroed) on first use
     */
    uint8_t* GetPage(uint64_t page);
    /**
     * \param page page number
     * \return the page's bytes, or nullptr when it was never written
     */
    const uint8_t* FindPage(uint64_t page) const;

    /// Allocated pages by page number.
    std::unordered_map<uint64_t, std::unique_ptr<uint8_t[]>> m_pages;
    uint64_t m_lastPage;  //!< page number of the last page written
    uint8_t* m_lastBytes; //!< bytes of the last page written (write locality cache)
};

} // namespace ns3

#endif /* SPARSE_MEMORY_H */
