#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# vkms-vblank-fix.pl VKMS_CRTC_C - backport to vkms before 7.x the way 7.x
# stops a vblank timer (drm_crtc_vblank_cancel_timer()), in place.
#
# vkms up to 6.18 turns its vblank off with hrtimer_cancel(), which the
# DRM core calls with its vblank locks held and interrupts off; a timer
# callback that has started on another CPU waits for those locks in
# drm_crtc_handle_vblank(), and hrtimer_cancel() waits for the callback:
# both CPUs hang, silently.  A CRTC turned off or a vblank reference
# dropped is enough; under an emulated CPU, where callbacks are slow, the
# VM suite met it.  As in 7.x: the period is cleared and the timer only
# asked to stop, the callback stops itself when it finds no period, and
# the timer is set up once, never again while a callback may run.
# Exits 0 after patching, 1 when the file has no hrtimer_cancel() to
# replace (7.x: nothing to do), 2 when a pattern is missing.
use strict;
use warnings;

my $file = shift or die "usage: $0 vkms_crtc.c\n";
open(my $in, '<', $file) or die "$file: $!\n";
my $c = do { local $/; <$in> };
close($in);

exit 1 unless $c =~ /hrtimer_cancel\(&out->vblank_hrtimer\);/;

my $n = 0;
# The callback: no period, no restart.
$n += $c =~ s{(\tu64 ret_overrun;\n)}{$1\tktime_t period;\n};
$n += $c =~ s{\tret_overrun = hrtimer_forward_now\(&output->vblank_hrtimer,\s*output->period_ns\);}
{\tperiod = READ_ONCE(output->period_ns);
\tif (!period) {
\t\tdma_fence_end_signalling(fence_cookie);
\t\treturn HRTIMER_NORESTART;
\t}
\tret_overrun = hrtimer_forward_now(&output->vblank_hrtimer, period);};
# Set up once (hrtimer_init + .function before 6.15, hrtimer_setup since).
$n += $c =~ s{(\thrtimer_(?:init|setup)\(&out->vblank_hrtimer[^;]*;\n(?:\tout->vblank_hrtimer\.function = &vkms_vblank_simulate;\n)?)}
{\tif (out->vblank_hrtimer.function != vkms_vblank_simulate) {\n$1\t}\n};
$n += $c =~ s{\thrtimer_cancel\(&out->vblank_hrtimer\);}
{\tWRITE_ONCE(out->period_ns, 0);\n\thrtimer_try_to_cancel(&out->vblank_hrtimer);};
if ($n != 4) {
	print STDERR "$file: $n of 4 changes applied: not the vkms this expects\n";
	exit 2;
}
open(my $out, '>', $file) or die "$file: $!\n";
print $out $c;
close($out);
