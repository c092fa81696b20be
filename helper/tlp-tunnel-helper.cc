/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "tlp-tunnel-helper.h"

#include "ns3/abort.h"
#include "ns3/log.h"
#include "ns3/node.h"
#include "ns3/uinteger.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("TlpTunnelHelper");

TlpTunnelHelper::TlpTunnelHelper()
{
    m_interconnectFactory.SetTypeId("ns3::LocalInterconnectChannel");
    m_memoryFactory.SetTypeId("ns3::TlpMemory");
    m_cpuFactory.SetTypeId("ns3::TlpCpu");
}

void
TlpTunnelHelper::SetInterconnectAttribute(const std::string& name, const AttributeValue& value)
{
    m_interconnectFactory.Set(name, value);
}

void
TlpTunnelHelper::SetMemoryAttribute(const std::string& name, const AttributeValue& value)
{
    m_memoryFactory.Set(name, value);
}

void
TlpTunnelHelper::SetCpuAttribute(const std::string& name, const AttributeValue& value)
{
    m_cpuFactory.Set(name, value);
}

uint16_t
TlpTunnelHelper::GetRequesterId(Ptr<Node> node, uint32_t function)
{
    uint32_t id = node->GetId();
    NS_ABORT_MSG_IF(id >= 16384,
                    "TlpTunnelHelper: node " << id
                                             << " cannot get a unique 16-bit Requester ID; "
                                                "create compute nodes before other nodes");
    return static_cast<uint16_t>(id << 2 | (function & 3));
}

ApplicationContainer
TlpTunnelHelper::Install(Ptr<Node> node) const
{
    NS_LOG_FUNCTION(this << node->GetId());
    NS_ABORT_MSG_IF(node->GetObject<LocalInterconnectChannel>() != nullptr,
                    "TlpTunnelHelper: node " << node->GetId() << " already has an interconnect");
    Ptr<LocalInterconnectChannel> lpi = m_interconnectFactory.Create<LocalInterconnectChannel>();
    lpi->SetAttribute("CompleterId", UintegerValue(GetRequesterId(node, 3)));
    node->AggregateObject(lpi);

    Ptr<TlpMemory> memory = m_memoryFactory.Create<TlpMemory>();
    memory->SetAttribute("CompleterId", UintegerValue(GetRequesterId(node, 1)));
    node->AggregateObject(memory);
    memory->Connect(lpi);

    Ptr<TlpCpu> cpu = m_cpuFactory.Create<TlpCpu>();
    cpu->SetAttribute("RequesterId", UintegerValue(GetRequesterId(node, 0)));
    node->AddApplication(cpu);
    cpu->Connect(lpi);
    return ApplicationContainer(cpu);
}

ApplicationContainer
TlpTunnelHelper::Install(NodeContainer nodes) const
{
    ApplicationContainer cpus;
    for (auto it = nodes.Begin(); it != nodes.End(); ++it)
    {
        cpus.Add(Install(*it));
    }
    return cpus;
}

Ptr<LocalInterconnectChannel>
TlpTunnelHelper::GetInterconnect(Ptr<Node> node)
{
    return node->GetObject<LocalInterconnectChannel>();
}

Ptr<TlpMemory>
TlpTunnelHelper::GetMemory(Ptr<Node> node)
{
    return node->GetObject<TlpMemory>();
}

Ptr<TlpCpu>
TlpTunnelHelper::GetCpu(Ptr<Node> node)
{
    for (uint32_t i = 0; i < node->GetNApplications(); ++i)
    {
        Ptr<TlpCpu> cpu = DynamicCast<TlpCpu>(node->GetApplication(i));
        if (cpu != nullptr)
        {
            return cpu;
        }
    }
    return nullptr;
}

} // namespace ns3
