// SPDX-License-Identifier: Apache-2.0
#include "gateway/gather_writer.h"

namespace aldis::gateway {

namespace {
constexpr std::size_t kKeepWire = 512;   // an idle connection keeps at most this much
constexpr std::size_t kKeepBuffers = 16;
} // namespace

void WireBuffers::start(std::size_t copyHint)
{
    m_wire.clear();
    m_buffers.clear();
    m_runStart = 0;
    m_wire.reserve(copyHint);
}

void WireBuffers::endRun()
{
    if (m_wire.size() > m_runStart)
        m_buffers.emplace_back(nullptr, m_wire.size() - m_runStart);
    m_runStart = m_wire.size();
}

void WireBuffers::share(std::string_view bytes)
{
    if (bytes.empty())
        return; // a null address marks a run of m_wire
    endRun();
    m_buffers.emplace_back(bytes.data(), bytes.size());
}

std::span<const boost::asio::const_buffer> WireBuffers::finish()
{
    endRun();
    // m_wire has stopped growing: its runs get their addresses. They follow each other
    // in m_wire in the order they were written.
    std::size_t offset = 0;
    for (auto& buffer : m_buffers) {
        if (buffer.data() != nullptr)
            continue;
        buffer = boost::asio::const_buffer(m_wire.data() + offset, buffer.size());
        offset += buffer.size();
    }
    return m_buffers;
}

void WireBuffers::release()
{
    if (m_wire.capacity() > kKeepWire)
        std::string().swap(m_wire);
    if (m_buffers.capacity() > kKeepBuffers)
        std::vector<boost::asio::const_buffer>().swap(m_buffers);
}

} // namespace aldis::gateway
