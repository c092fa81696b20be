/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "sparse-memory.h"

#include <algorithm>
#include <cstring>

namespace ns3
{

SparseMemory::SparseMemory()
    : m_lastPage(0),
      m_lastBytes(nullptr)
{
}

uint8_t*
SparseMemory::GetPage(uint64_t page)
{
    if (m_lastBytes != nullptr && m_lastPage == page)
    {
        return m_lastBytes;
    }
    auto& slot = m_pages[page];
    if (!slot)
    {
        slot.reset(new uint8_t[PAGE_SIZE]());
    }
    m_lastPage = page;
    m_lastBytes = slot.get();
    return m_lastBytes;
}

const uint8_t*
SparseMemory::FindPage(uint64_t page) const
{
    if (m_lastBytes != nullptr && m_lastPage == page)
    {
        return m_lastBytes;
    }
    auto it = m_pages.find(page);
    return it == m_pages.end() ? nullptr : it->second.get();
}

void
SparseMemory::Write(uint64_t address, const uint8_t* data, uint32_t size)
{
    while (size > 0)
    {
        uint32_t offset = static_cast<uint32_t>(address % PAGE_SIZE);
        uint32_t chunk = std::min(size, PAGE_SIZE - offset);
        std::memcpy(GetPage(address / PAGE_SIZE) + offset, data, chunk);
        address += chunk;
        data += chunk;
        size -= chunk;
    }
}

void
SparseMemory::Read(uint64_t address, uint8_t* data, uint32_t size) const
{
    while (size > 0)
    {
        uint32_t offset = static_cast<uint32_t>(address % PAGE_SIZE);
        uint32_t chunk = std::min(size, PAGE_SIZE - offset);
        const uint8_t* page = FindPage(address / PAGE_SIZE);
        if (page == nullptr)
        {
            std::memset(data, 0, chunk);
        }
        else
        {
            std::memcpy(data, page + offset, chunk);
        }
        address += chunk;
        data += chunk;
        size -= chunk;
    }
}

uint8_t
SparseMemory::ReadByte(uint64_t address) const
{
    uint8_t value;
    Read(address, &value, 1);
    return value;
}

uint64_t
SparseMemory::GetAllocatedPages() const
{
    return m_pages.size();
}

std::vector<uint64_t>
SparseMemory::GetAllocatedPageAddresses() const
{
    std::vector<uint64_t> addresses;
    addresses.reserve(m_pages.size());
    for (const auto& entry : m_pages)
    {
        addresses.push_back(entry.first * PAGE_SIZE);
    }
    std::sort(addresses.begin(), addresses.end());
    return addresses;
}

} // namespace ns3
