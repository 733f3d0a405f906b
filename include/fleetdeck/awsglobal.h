/* awsglobal.h - once-per-process set-up of the network libraries (libcurl), so
 * main() needs no library headers of its own. */
#ifndef FLEETDECK_AWSGLOBAL_H
#define FLEETDECK_AWSGLOBAL_H

int aws_global_init(void);
void aws_global_cleanup(void);

#endif
