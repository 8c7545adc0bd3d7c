// SPDX-License-Identifier: Apache-2.0
#include "gateway/assets.h"

#include <string>

namespace aldis::gateway {

const Asset* findAsset(std::string_view path, bool demo)
{
    if (path.starts_with("/demo/") && !demo)
        return nullptr;
    std::string wanted(path);
    if (wanted.ends_with('/'))
        wanted += "index.html";
    for (const auto& asset : webAssets())
        if (asset.path == wanted)
            return &asset;
    return nullptr;
}

} // namespace aldis::gateway
