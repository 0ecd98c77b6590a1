#include "CFuzzMain.h"
