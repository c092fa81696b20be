/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include "full-duplex-ethernet-helper.h"

#include "ns3/abort.h"
#include "ns3/config.h"
#include "ns3/full-duplex-ethernet-channel.h"
#include "ns3/full-duplex-ethernet-net-device.h"
#include "ns3/log.h"
#include "ns3/mac48-address.h"
#include "ns3/net-device-queue-interface.h"
#include "ns3/packet.h"

namespace ns3
{

NS_LOG_COMPONENT_DEFINE("FullDuplexEthernetHelper");

FullDuplexEthernetHelper::FullDuplexEthernetHelper()
    : m_flowControl(true)
{
    m_queueFactory.SetTypeId("ns3::DropTailQueue<Packet>");
    m_deviceFactory.SetTypeId("ns3::FullDuplexEthernetNetDevice");
    m_channelFactory.SetTypeId("ns3::FullDuplexEthernetChannel");
}

FullDuplexEthernetHelper::~FullDuplexEthernetHelper()
{
}

void
FullDuplexEthernetHelper::SetDeviceAttribute(const std::string& name, const AttributeValue& value)
{
    m_deviceFactory.Set(name, value);
}

void
FullDuplexEthernetHelper::SetChannelAttribute(const std::string& name, const AttributeValue& value)
{
    m_channelFactory.Set(name, value);
}

void
FullDuplexEthernetHelper::DisableFlowControl()
{
    m_flowControl = false;
}

NetDeviceContainer
FullDuplexEthernetHelper::Install(NodeContainer c)
{
    NS_ABORT_MSG_IF(c.GetN() != 2,
                    "FullDuplexEthernetHelper: a link joins two nodes, not " << c.GetN());
    return Install(c.Get(0), c.Get(1));
}

NetDeviceContainer
FullDuplexEthernetHelper::Install(Ptr<Node> a, Ptr<Node> b)
{
    Ptr<FullDuplexEthernetChannel> channel = m_channelFactory.Create<FullDuplexEthernetChannel>();
    NetDeviceContainer devices;
    for (Ptr<Node> node : {a, b})
    {
        Ptr<FullDuplexEthernetNetDevice> device =
            m_deviceFactory.Create<FullDuplexEthernetNetDevice>();
        device->SetAddress(Mac48Address::Allocate());
        node->AddDevice(device);
        Ptr<Queue<Packet>> queue = m_queueFactory.Create<Queue<Packet>>();
        device->SetQueue(queue);
        if (m_flowControl)
        {
            Ptr<NetDeviceQueueInterface> interface = CreateObject<NetDeviceQueueInterface>();
            interface->GetTxQueue(0)->ConnectQueueTraces(queue);
            device->AggregateObject(interface);
        }
        device->Attach(channel);
        devices.Add(device);
    }
    return devices;
}

void
FullDuplexEthernetHelper::EnablePcapInternal(std::string prefix,
                                             Ptr<NetDevice> nd,
                                             bool promiscuous,
                                             bool explicitFilename)
{
    Ptr<FullDuplexEthernetNetDevice> device = nd->GetObject<FullDuplexEthernetNetDevice>();
    if (device == nullptr)
    {
        NS_LOG_INFO("FullDuplexEthernetHelper: device " << nd << " is not a "
                                                        << "FullDuplexEthernetNetDevice");
        return;
    }
    PcapHelper pcapHelper;
    std::string filename =
        explicitFilename ? prefix : pcapHelper.GetFilenameFromDevice(prefix, device);
    Ptr<PcapFileWrapper> file =
        pcapHelper.CreateFile(filename, std::ios::out, PcapHelper::DLT_EN10MB);
    pcapHelper.HookDefaultSink<FullDuplexEthernetNetDevice>(device,
                                                            promiscuous ? "PromiscSniffer"
                                                                        : "Sniffer",
                                                            file);
}

void
FullDuplexEthernetHelper::EnableAsciiInternal(Ptr<OutputStreamWrapper> stream,
                                              std::string prefix,
                                              Ptr<NetDevice> nd,
                                              bool explicitFilename)
{
    Ptr<FullDuplexEthernetNetDevice> device = nd->GetObject<FullDuplexEthernetNetDevice>();
    if (device == nullptr)
    {
        NS_LOG_INFO("FullDuplexEthernetHelper: device " << nd << " is not a "
                                                        << "FullDuplexEthernetNetDevice");
        return;
    }
    // The default sinks print packets, as those of ns-3's own link helpers do.
    Packet::EnablePrinting();
    if (stream == nullptr)
    {
        AsciiTraceHelper asciiTraceHelper;
        std::string filename =
            explicitFilename ? prefix : asciiTraceHelper.GetFilenameFromDevice(prefix, device);
        Ptr<OutputStreamWrapper> file = asciiTraceHelper.CreateFileStream(filename);
        // "r" when a frame is passed up, "+", "-" and "d" from the queue, "d" for
        // frames dropped on reception.
        asciiTraceHelper.HookDefaultReceiveSinkWithoutContext<FullDuplexEthernetNetDevice>(device,
                                                                                           "MacRx",
                                                                                           file);
        Ptr<Queue<Packet>> queue = device->GetQueue();
        asciiTraceHelper.HookDefaultEnqueueSinkWithoutContext<Queue<Packet>>(queue,
                                                                             "Enqueue",
                                                                             file);
        asciiTraceHelper.HookDefaultDropSinkWithoutContext<Queue<Packet>>(queue, "Drop", file);
        asciiTraceHelper.HookDefaultDequeueSinkWithoutContext<Queue<Packet>>(queue,
                                                                             "Dequeue",
                                                                             file);
        asciiTraceHelper.HookDefaultDropSinkWithoutContext<FullDuplexEthernetNetDevice>(device,
                                                                                        "PhyRxDrop",
                                                                                        file);
        return;
    }
    std::ostringstream path;
    path << "/NodeList/" << nd->GetNode()->GetId() << "/DeviceList/" << nd->GetIfIndex()
         << "/$ns3::FullDuplexEthernetNetDevice/";
    std::string base = path.str();
    Config::Connect(base + "MacRx",
                    MakeBoundCallback(&AsciiTraceHelper::DefaultReceiveSinkWithContext, stream));
    Config::Connect(base + "TxQueue/Enqueue",
                    MakeBoundCallback(&AsciiTraceHelper::DefaultEnqueueSinkWithContext, stream));
    Config::Connect(base + "TxQueue/Dequeue",
                    MakeBoundCallback(&AsciiTraceHelper::DefaultDequeueSinkWithContext, stream));
    Config::Connect(base + "TxQueue/Drop",
                    MakeBoundCallback(&AsciiTraceHelper::DefaultDropSinkWithContext, stream));
    Config::Connect(base + "PhyRxDrop",
                    MakeBoundCallback(&AsciiTraceHelper::DefaultDropSinkWithContext, stream));
}

} // namespace ns3
