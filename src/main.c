/* SPDX-License-Identifier: Apache-2.0 */
#include "husk/husk.h"
int main(void)
{
	return 0;
}
