// SPDX-License-Identifier: Apache-2.0
#include "client/url.h"

#include <algorithm>
#include <stdexcept>

namespace aldis::client::detail {

Url parseUrl(const std::string& text)
{
    const auto fail = [&](const std::string& why) {
        return std::invalid_argument("aldis client: URL \"" + text + "\" " + why);
    };
    if (text.rfind("wss://", 0) == 0)
        throw fail("uses wss://, which this client does not support yet; use ws:// "
                   "(for example behind a TLS-terminating proxy)");
    if (text.rfind("ws://", 0) != 0)
        throw fail("must start with ws://, as in ws://host:8800/v1/ws");
    Url url;
    url.text = text;
    const std::string rest = text.substr(5);
    const auto slash = rest.find('/');
    url.hostHeader = rest.substr(0, slash);
    url.path = slash == std::string::npos ? "/" : rest.substr(slash);
    std::string portText;
    if (!url.hostHeader.empty() && url.hostHeader.front() == '[') {
        const auto close = url.hostHeader.find(']');
        if (close == std::string::npos)
            throw fail("has an IPv6 address without its closing ']'");
        url.host = url.hostHeader.substr(1, close - 1);
        const auto after = url.hostHeader.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                throw fail("has something other than :port after the IPv6 address");
            portText = after.substr(1);
        }
    } else {
        const auto colon = url.hostHeader.rfind(':');
        url.host = url.hostHeader.substr(0, colon);
        if (colon != std::string::npos)
            portText = url.hostHeader.substr(colon + 1);
    }
    if (url.host.empty())
        throw fail("has no host");
    if (portText.empty()) {
        url.port = "80";
    } else {
        const bool digits = std::all_of(portText.begin(), portText.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || portText.size() > 5 || std::stoul(portText) == 0 || std::stoul(portText) > 65535)
            throw fail("has a port that is not a number from 1 to 65535");
        url.port = portText;
    }
    return url;
}

} // namespace aldis::client::detail
