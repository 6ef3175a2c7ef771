#include "notspot/io/study.hpp"
