/*
 * SPDX-License-Identifier: GPL-2.0-only
 */

/*
 * A main() for the fuzz targets without libFuzzer: runs the target once on every
 * file given, or on every file of every directory given (in name order), so a
 * sanitizer build replays the corpus, reproducers included, as a CTest test. A
 * finding aborts, as under libFuzzer.
 */

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <dirent.h>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace
{

bool
IsDirectory(const std::string& path)
{
    struct stat s;
    return stat(path.c_str(), &s) == 0 && S_ISDIR(s.st_mode);
}

std::vector<std::string>
Files(const std::string& path)
{
    if (!IsDirectory(path))
    {
        return {path};
    }
    std::vector<std::string> files;
    DIR* dir = opendir(path.c_str());
    while (dirent* entry = dir ? readdir(dir) : nullptr)
    {
        std::string file = path + "/" + entry->d_name;
        if (entry->d_name[0] != '.' && !IsDirectory(file))
        {
            files.push_back(file);
        }
    }
    if (dir)
    {
        closedir(dir);
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

int
main(int argc, char** argv)
{
    size_t inputs = 0;
    for (int a = 1; a < argc; ++a)
    {
        for (const std::string& file : Files(argv[a]))
        {
            std::ifstream in(file, std::ios::binary);
            if (!in)
            {
                std::fprintf(stderr, "cannot read %s\n", file.c_str());
                return 1;
            }
            std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>());
            std::fprintf(stderr, "%s (%zu bytes)\n", file.c_str(), bytes.size());
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
            inputs++;
        }
    }
    std::printf("replayed %zu inputs\n", inputs);
    return inputs == 0 ? 1 : 0;
}
