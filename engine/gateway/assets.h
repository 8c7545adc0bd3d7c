// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <span>
#include <string_view>

namespace aldis::gateway {

// A file of web/ compiled into the binary (cmake/EmbedWebAssets.cmake): the browser
// client and the demo travel with the node, so /client/aldis.js always matches the
// protocol of the node that serves it.
struct Asset {
    std::string_view path;        // URL path: "/client/aldis.js", "/demo/index.html"
    std::string_view contentType;
    std::string_view body;
    std::string_view etag;        // quoted, as the ETag header carries it
};

std::span<const Asset> webAssets();

// The asset a GET of `path` serves: "/demo/" is "/demo/index.html". Nothing for other
// paths, and nothing under /demo/ when `demo` is false (client.serve_demo).
const Asset* findAsset(std::string_view path, bool demo);

} // namespace aldis::gateway
