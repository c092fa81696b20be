/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-doorbell-helper.h"

#include "tlp-tunnel-helper.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/simulator.h"

#include <set>

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpDoorbellHelper");

namespace
{

class CompletionWatch;

/// The watches waiting for their completion word.
std::set<Ptr<CompletionWatch>> g_watches;

/// Forget the watches whose completion word never came (Simulator::Destroy).
void
ForgetWatches()
{
    g_watches.clear();
}

/// Waits for the completion write of one descriptor in local memory.
class CompletionWatch : public SimpleRefCount<CompletionWatch>
{
  public:
    /**
     * \param memory the local memory
     * \param address the completion word
     * \param value the value it will carry
     * \param done the user's callback
     */
    CompletionWatch(Ptr<TlpMemory> memory,
                    uint64_t address,
                    uint32_t value,
                    TlpDoorbellHelper::DoneCallback done)
        : m_memory(memory),
          m_address(address),
          m_value(value),
          m_done(done),
          m_start(Simulator::Now()),
          m_ended(false)
    {
    }

    /// Watch the memory's writes.
    void Connect()
    {
        m_memory->TraceConnectWithoutContext("Write", MakeCallback(&CompletionWatch::Write, this));
    }

    /**
     * \brief A write the memory took.
     * \param tlp the write
     */
    void Write(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        uint64_t first = h.GetFirstByteAddress();
        if (m_ended || m_address < first || m_address + 8 > first + h.GetEnabledBytes())
        {
            return;
        }
        uint8_t word[8];
        m_memory->GetStore().Read(m_address, word, 8);
        uint32_t value = 0;
        uint32_t status = 0;
        for (uint32_t i = 0; i < 4; ++i)
        {
            value |= uint32_t(word[i]) << (8 * i);
            status |= uint32_t(word[4 + i]) << (8 * i);
        }
        if (value != m_value)
        {
            return;
        }
        m_ended = true;
        // Not from inside the trace: disconnecting there would change the list it walks.
        Simulator::ScheduleNow(&CompletionWatch::End, this, status);
    }

    /**
     * \brief Stop watching and report.
     * \param status the completion's status
     */
    void End(uint32_t status)
    {
        m_memory->TraceDisconnectWithoutContext("Write",
                                                MakeCallback(&CompletionWatch::Write, this));
        TlpDoorbellHelper::DoneCallback done = m_done;
        Time latency = Simulator::Now() - m_start;
        g_watches.erase(Ptr<CompletionWatch>(this)); // may delete this
        if (!done.IsNull())
        {
            done(status, latency);
        }
    }

  private:
    Ptr<TlpMemory> m_memory;                //!< local memory
    uint64_t m_address;                     //!< completion word
    uint32_t m_value;                       //!< its expected value
    TlpDoorbellHelper::DoneCallback m_done; //!< user callback
    Time m_start;                           //!< when the descriptor was started
    bool m_ended;                           //!< the completion arrived
};

/// Values of the completion words, so that none is taken for an earlier one.
uint32_t g_nextValue = 0x5A000001;

/**
 * \param nic a NIC
 * \param address an address
 * \param size bytes from it
 * \param window set to the ID of the window that holds them
 * \return false when no window holds them
 */
bool
FindWindow(Ptr<TlpTunnelNetDevice> nic, uint64_t address, uint64_t size, uint16_t& window)
{
    for (uint32_t id = 0; id <= nic->GetNWindows(); ++id)
    {
        const TlpWindow* w = nic->GetWindow(static_cast<uint16_t>(id));
        if (w != nullptr && address >= w->base && address - w->base < w->size &&
            size <= w->size - (address - w->base))
        {
            window = static_cast<uint16_t>(id);
            return true;
        }
    }
    return false;
}

/**
 * \param node the node
 * \param op OP_READ or OP_PUSH
 * \param local local address
 * \param size bytes
 * \param windowAddress address in a window
 * \param completionAddress completion word
 * \return the descriptor
 */
TlpDescriptor
Describe(Ptr<Node> node,
         uint32_t op,
         uint64_t local,
         uint64_t size,
         uint64_t windowAddress,
         uint64_t completionAddress)
{
    Ptr<TlpTunnelNetDevice> nic = TlpTunnelHelper::GetNic(node);
    NS_ABORT_MSG_IF(nic == nullptr, "TlpDoorbellHelper: node " << node->GetId() << " has no NIC");
    uint16_t window;
    NS_ABORT_MSG_IF(!FindWindow(nic, windowAddress, size, window),
                    "TlpDoorbellHelper: " << size << " bytes at 0x" << std::hex << windowAddress
                                          << " are not inside one window of node " << std::dec
                                          << node->GetId());
    TlpDescriptor d;
    d.local = local;
    d.length = size;
    d.window = window;
    d.offset = windowAddress - nic->GetWindow(window)->base;
    d.flags = op | TlpDoorbellRegisters::FLAG_NOTIFY;
    d.completionAddress = completionAddress;
    return d;
}

} // namespace

TlpDescriptor
TlpDoorbellHelper::MakeRead(Ptr<Node> node,
                            uint64_t windowAddress,
                            uint64_t size,
                            uint64_t localAddress,
                            uint64_t completionAddress)
{
    return Describe(node,
                    TlpDoorbellRegisters::OP_READ,
                    localAddress,
                    size,
                    windowAddress,
                    completionAddress);
}

TlpDescriptor
TlpDoorbellHelper::MakePush(Ptr<Node> node,
                            uint64_t localAddress,
                            uint64_t size,
                            uint64_t windowAddress,
                            uint64_t completionAddress)
{
    return Describe(node,
                    TlpDoorbellRegisters::OP_PUSH,
                    localAddress,
                    size,
                    windowAddress,
                    completionAddress);
}

void
TlpDoorbellHelper::ReadRemote(Ptr<Node> node,
                              uint64_t windowAddress,
                              uint64_t size,
                              uint64_t localAddress,
                              uint64_t completionAddress,
                              DoneCallback done)
{
    Start(node, MakeRead(node, windowAddress, size, localAddress, completionAddress), 0, done);
}

void
TlpDoorbellHelper::Push(Ptr<Node> node,
                        uint64_t localAddress,
                        uint64_t size,
                        uint64_t windowAddress,
                        uint64_t completionAddress,
                        DoneCallback done)
{
    Start(node, MakePush(node, localAddress, size, windowAddress, completionAddress), 0, done);
}

void
TlpDoorbellHelper::Start(Ptr<Node> node,
                         const TlpDescriptor& descriptor,
                         uint32_t slot,
                         DoneCallback done)
{
    NS_LOG_FUNCTION(node->GetId() << slot);
    TlpDescriptor d = descriptor;
    Ptr<TlpCpu> cpu = TlpTunnelHelper::GetCpu(node);
    Ptr<TlpMemory> memory = TlpTunnelHelper::GetMemory(node);
    NS_ABORT_MSG_IF(cpu == nullptr || memory == nullptr,
                    "TlpDoorbellHelper: node " << node->GetId()
                                               << " was not built by TlpTunnelHelper");
    if (d.flags & TlpDoorbellRegisters::FLAG_NOTIFY)
    {
        d.completionValue = g_nextValue++;
        // The driver clears the word in its own memory (a CPU store, no PCIe).
        uint8_t zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        if (d.completionAddress % 8 == 0 &&
            TlpTunnelHelper::GetNic(node)->GetPort()->IsHostMemory(d.completionAddress, 8))
        {
            memory->GetStore().Write(d.completionAddress, zero, 8);
        }
        Ptr<CompletionWatch> watch =
            Create<CompletionWatch>(memory, d.completionAddress, d.completionValue, done);
        watch->Connect();
        if (g_watches.empty())
        {
            Simulator::ScheduleDestroy(&ForgetWatches);
        }
        g_watches.insert(watch);
    }
    cpu->Write(GetSlotAddress(node, slot), Encode(d), TlpCpu::DoneCallback());
    std::vector<uint8_t> ring(4);
    for (uint32_t i = 0; i < 4; ++i)
    {
        ring[i] = static_cast<uint8_t>(slot >> (8 * i));
    }
    cpu->Write(TlpTunnelHelper::GetNic(node)->GetDoorbell().GetBase() +
                   TlpDoorbellRegisters::DOORBELL,
               ring,
               TlpCpu::DoneCallback());
}

std::vector<uint8_t>
TlpDoorbellHelper::Encode(const TlpDescriptor& d)
{
    std::vector<uint8_t> bytes(TlpDoorbellRegisters::DESCRIPTOR_SIZE, 0);
    auto put = [&bytes](uint32_t offset, uint64_t value, uint32_t size) {
        for (uint32_t i = 0; i < size; ++i)
        {
            bytes[offset + i] = static_cast<uint8_t>(value >> (8 * i));
        }
    };
    put(TlpDoorbellRegisters::LOCAL, d.local, 8);
    put(TlpDoorbellRegisters::LENGTH, d.length, 8);
    put(TlpDoorbellRegisters::OFFSET, d.offset, 8);
    put(TlpDoorbellRegisters::WINDOW, d.window, 4);
    put(TlpDoorbellRegisters::FLAGS, d.flags, 4);
    put(TlpDoorbellRegisters::COMPLETION_ADDRESS, d.completionAddress, 8);
    put(TlpDoorbellRegisters::COMPLETION_VALUE, d.completionValue, 4);
    return bytes;
}

uint64_t
TlpDoorbellHelper::GetSlotAddress(Ptr<Node> node, uint32_t slot)
{
    Ptr<TlpTunnelNetDevice> nic = TlpTunnelHelper::GetNic(node);
    NS_ABORT_MSG_IF(nic == nullptr, "TlpDoorbellHelper: node " << node->GetId() << " has no NIC");
    return nic->GetDoorbell().GetBase() + TlpDoorbellRegisters::SLOT_BASE +
           uint64_t(slot) * TlpDoorbellRegisters::SLOT_SIZE;
}

} // namespace ns3
