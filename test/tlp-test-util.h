/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_TEST_UTIL_H
#define TLP_TEST_UTIL_H

#include "ns3/packet.h"
#include "ns3/pcie-link.h"
#include "ns3/pcie-port.h"
#include "ns3/pcie-root-complex.h"
#include "ns3/simulator.h"
#include "ns3/tlp-ecrc-trailer.h"
#include "ns3/tlp-header.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace ns3
{
namespace tlptest
{

/// Runs a scheduled function object (see Later()).
inline void
RunLater(std::shared_ptr<std::function<void()>> f)
{
    (*f)();
}

/**
 * \brief Schedule a function object, a lambda included (ns-3 before 3.36 schedules
 * only functions and methods).
 * \param delay when, from now
 * \param f what to run
 * \return the event
 */
inline EventId
Later(Time delay, std::function<void()> f)
{
    return Simulator::Schedule(delay, &RunLater, std::make_shared<std::function<void()>>(f));
}

/// Bytes of a hex string; spaces and '|' are ignored.
inline std::vector<uint8_t>
Hex(const std::string& text)
{
    std::string digits;
    for (char c : text)
    {
        if (std::isxdigit(static_cast<unsigned char>(c)))
        {
            digits += c;
        }
    }
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i + 1 < digits.size(); i += 2)
    {
        bytes.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
    }
    return bytes;
}

/// A packet's bytes.
inline std::vector<uint8_t>
Bytes(Ptr<const Packet> p)
{
    std::vector<uint8_t> bytes(p->GetSize());
    p->CopyData(bytes.data(), bytes.size());
    return bytes;
}

/// Bytes as spaced hex, for failure messages.
inline std::string
ToHex(const std::vector<uint8_t>& bytes)
{
    std::ostringstream os;
    for (size_t i = 0; i < bytes.size(); ++i)
    {
        static const char* digits = "0123456789abcdef";
        if (i > 0 && i % 4 == 0)
        {
            os << ' ';
        }
        os << digits[bytes[i] >> 4] << digits[bytes[i] & 15];
    }
    return os.str();
}

/// Serialize one header alone.
template <typename H>
std::vector<uint8_t>
Serialize(const H& header)
{
    Ptr<Packet> p = Create<Packet>();
    p->AddHeader(header);
    return Bytes(p);
}

/// A bare device on a PCIe port that records what it receives.
class Probe
{
  public:
    /// A received TLP.
    struct Rx
    {
        Time at;         //!< delivery time
        Ptr<Packet> tlp; //!< the TLP
    };

    /**
     * \param port the device's port (joined to a link, or to be joined)
     */
    explicit Probe(Ptr<PciePort> port)
        : m_port(port)
    {
        port->SetReceiveCallback(MakeCallback(&Probe::Receive, this));
        port->SetReadyCallback(MakeCallback(&Probe::Ready, this));
    }

    /// \return the port
    Ptr<PciePort> Port() const
    {
        return m_port;
    }

    /// Send a header with optional payload now; returns what Send() returned.
    bool Send(TlpHeader h, const std::vector<uint8_t>& data = {}, bool ecrc = false)
    {
        h.SetDigest(ecrc);
        Ptr<Packet> p = data.empty() ? Create<Packet>() : Create<Packet>(data.data(), data.size());
        p->AddHeader(h);
        if (ecrc)
        {
            TlpEcrcTrailer::Append(p);
        }
        return m_port->Send(p);
    }

    /// Send raw bytes.
    bool SendBytes(const std::vector<uint8_t>& bytes)
    {
        return m_port->Send(Create<Packet>(bytes.data(), bytes.size()));
    }

    /// Send() a header with a payload; for Simulator::Schedule.
    void SendData(TlpHeader h, std::vector<uint8_t> data)
    {
        Send(h, data);
    }

    /// \return the header of received TLP i
    TlpHeader Header(size_t i) const
    {
        TlpHeader h;
        received.at(i).tlp->PeekHeader(h);
        return h;
    }

    /// \return the data bytes of received TLP i (after the header, before any digest)
    std::vector<uint8_t> Data(size_t i) const
    {
        TlpHeader h = Header(i);
        std::vector<uint8_t> all = Bytes(received.at(i).tlp);
        return std::vector<uint8_t>(all.begin() + h.GetSerializedSize(),
                                    all.begin() + h.GetSerializedSize() + h.GetDataSize());
    }

    std::vector<Rx> received; //!< what arrived, in order
    uint32_t readyCalls = 0;  //!< ready callbacks seen

  private:
    void Receive(Ptr<Packet> tlp)
    {
        received.push_back({Simulator::Now(), tlp});
    }

    void Ready()
    {
        readyCalls++;
    }

    Ptr<PciePort> m_port; //!< our port
};

/**
 * \brief Join a new endpoint port to a new root port of a root complex.
 * \param rc the root complex
 * \param name the ports' name
 * \param link the link (attributes set), or null for a default one
 * \param endpoint the endpoint port (attributes set), or null for a default one
 * \return the endpoint's port
 */
inline Ptr<PciePort>
AttachEndpoint(Ptr<PcieRootComplex> rc,
               const std::string& name,
               Ptr<PcieLink> link = nullptr,
               Ptr<PciePort> endpoint = nullptr)
{
    link = link != nullptr ? link : CreateObject<PcieLink>();
    endpoint = endpoint != nullptr ? endpoint : CreateObject<PciePort>();
    endpoint->SetName(name);
    link->Attach(rc->AddRootPort(name), endpoint);
    return endpoint;
}

/// Addresses of the TLPs a memory executed, in order.
struct AddressLog
{
    std::vector<uint64_t> addresses; //!< their Address fields

    /// Trace sink.
    void Tlp(Ptr<const Packet> tlp)
    {
        TlpHeader h;
        tlp->PeekHeader(h);
        addresses.push_back(h.GetAddress());
    }
};

/// Ends the simulation when a test leaves scope.
struct SimulatorGuard
{
    ~SimulatorGuard()
    {
        Simulator::Destroy();
    }
};

} // namespace tlptest
} // namespace ns3

#endif /* TLP_TEST_UTIL_H */
