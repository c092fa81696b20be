/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef TLP_EXAMPLE_ARGS_H
#define TLP_EXAMPLE_ARGS_H

/*
 * Strict command-line values for the tlp-tunnel examples. ns-3's CommandLine reads
 * "-1" into an unsigned value as 4294967295 and "1e3" as 1; these helpers take the
 * text and refuse anything but a whole number (or a decimal fraction) inside the
 * allowed range, with a message that names the argument, the value and the range.
 */

#include "ns3/tlp-header.h"
#include "ns3/tlp-requester.h"
#include "ns3/tunnel-grant-header.h"

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <iostream>
#include <string>

namespace tlpexample
{

/**
 * \param name the argument's name (without "--")
 * \param text its value as given
 * \param min smallest allowed
 * \param max largest allowed
 * \param[out] value the number
 * \return false (after a message on stderr) when text is not a whole number in range
 */
inline bool
ParseUnsigned(const std::string& name,
              const std::string& text,
              uint64_t min,
              uint64_t max,
              uint64_t& value)
{
    bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE || v < min || v > max)
    {
        std::cerr << "--" << name << "=" << text << ": must be a whole number in " << min << ".."
                  << max << "\n";
        return false;
    }
    value = v;
    return true;
}

/**
 * \param name the argument's name
 * \param text its value as given
 * \param min smallest allowed
 * \param max largest allowed
 * \param[out] value the number
 * \return false (after a message on stderr) when text is not a decimal number in range
 */
inline bool
ParseFraction(const std::string& name,
              const std::string& text,
              double min,
              double max,
              double& value)
{
    char* end = nullptr;
    bool plain = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos;
    double v = plain ? std::strtod(text.c_str(), &end) : 0;
    if (!plain || end == nullptr || *end != '\0' || v < min || v > max)
    {
        std::cerr << "--" << name << "=" << text << ": must be a decimal number in " << min << ".."
                  << max << "\n";
        return false;
    }
    value = v;
    return true;
}

/**
 * \param name the argument's name
 * \param text its value as given
 * \param choices the allowed values
 * \return false (after a message on stderr) when text is none of them
 */
inline bool
ParseChoice(const std::string& name,
            const std::string& text,
            std::initializer_list<const char*> choices)
{
    std::string list;
    for (const char* c : choices)
    {
        if (text == c)
        {
            return true;
        }
        list += (list.empty() ? "" : ", ") + std::string(c);
    }
    std::cerr << "--" << name << "=" << text << ": must be one of " << list << "\n";
    return false;
}

/**
 * \param link the --link value (ethernet, csma or p2p)
 * \param transport the --transport value
 * \return false, after a message, for point-to-point links under Ethernet frames
 */
inline bool
LinkFits(const std::string& link, const std::string& transport)
{
    if (link == "p2p" && transport != "udp")
    {
        std::cerr << "--link=p2p: carries IP only, so it needs --transport=udp\n";
        return false;
    }
    return true;
}

/**
 * \param status a completion status or one of TlpRequester's STATUS_* values
 * \return its name: SC, UR, CRS, CA, "timeout", "misaligned", "bad operand size"
 */
inline std::string
StatusName(uint8_t status)
{
    return ns3::TlpRequester::StatusToString(status);
}

} // namespace tlpexample

#endif /* TLP_EXAMPLE_ARGS_H */
