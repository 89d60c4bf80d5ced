#include <catch2/catch.hpp>
#include "leadfunnel/timestamp.hpp"
