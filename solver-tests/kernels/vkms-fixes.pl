#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0
#
# vkms-fixes.pl VKMS_DIR - two fixes to the vkms sources in VKMS_DIR (a
# copy), for the test display of the VM suite.  Prints what it changed;
# exits 2 when a change that applies finds its code not as expected.
#
# 1. The vblank timer (vkms up to 6.18): vkms turns its vblank off with
#    hrtimer_cancel(), which the DRM core calls with its vblank locks held
#    and interrupts off; a timer callback that has started on another CPU
#    waits for those locks in drm_crtc_handle_vblank(), and
#    hrtimer_cancel() waits for the callback: both CPUs hang, silently.
#    Done as 7.x's generic vblank timer does (drm_crtc_vblank_cancel_timer):
#    the period is cleared and the timer only asked to stop, the callback
#    stops itself when it finds no period, and the timer is set up once,
#    never again while a callback may run.
# 2. The composer (every version to 7.3): a writeback commit turns it on,
#    and the cleanup of the previous writeback job turns it off, on a
#    worker that may run after that commit: the commit's writeback then
#    waits for a composition that never comes, and every later one waits
#    one job behind.  Here each writeback job (and a CRC reader) counts as
#    a user of the composer, which runs while it has one.
use strict;
use warnings;

my $dir = shift or die "usage: $0 VKMS_DIR\n";

sub slurp { open(my $f, '<', $_[0]) or die "$_[0]: $!\n"; local $/; <$f> }
sub spew { open(my $f, '>', $_[0]) or die "$_[0]: $!\n"; print $f $_[1] }
sub expect {
	my ($what, $n, $want) = @_;
	return if $n == $want;
	print STDERR "vkms-fixes: $what: $n of $want changes applied: not the vkms this expects\n";
	exit 2;
}

# 1. The vblank timer, in vkms_crtc.c, where it still uses hrtimer_cancel().
my $crtc = slurp("$dir/vkms_crtc.c");
if ($crtc =~ /hrtimer_cancel\(&out->vblank_hrtimer\);/) {
	my $n = 0;
	$n += $crtc =~ s{(\tu64 ret_overrun;\n)}{$1\tktime_t period;\n};
	$n += $crtc =~ s{\tret_overrun = hrtimer_forward_now\(&output->vblank_hrtimer,\s*output->period_ns\);}
{\tperiod = READ_ONCE(output->period_ns);
\tif (!period) {
\t\tdma_fence_end_signalling(fence_cookie);
\t\treturn HRTIMER_NORESTART;
\t}
\tret_overrun = hrtimer_forward_now(&output->vblank_hrtimer, period);};
	# hrtimer_init + .function before 6.15, hrtimer_setup since.
	$n += $crtc =~ s{(\thrtimer_(?:init|setup)\(&out->vblank_hrtimer[^;]*;\n(?:\tout->vblank_hrtimer\.function = &vkms_vblank_simulate;\n)?)}
{\tif (out->vblank_hrtimer.function != vkms_vblank_simulate) {\n$1\t}\n};
	$n += $crtc =~ s{\thrtimer_cancel\(&out->vblank_hrtimer\);}
{\tWRITE_ONCE(out->period_ns, 0);\n\thrtimer_try_to_cancel(&out->vblank_hrtimer);};
	expect("vblank timer", $n, 4);
	spew("$dir/vkms_crtc.c", $crtc);
	print "vblank timer stopped as in 7.x\n";
}

# 2. The composer's users, in vkms_drv.h and vkms_composer.c.
my $h = slurp("$dir/vkms_drv.h");
my $comp = slurp("$dir/vkms_composer.c");
my $n = 0;
$n += $h =~ s{(\n(\t+)bool composer_enabled;\n)}{$1$2unsigned int composer_users;\n};
$n += $comp =~ s{\nvoid vkms_set_composer\(struct vkms_output \*out, bool enabled\)\n\{\n.*?\n\}\n}
{
void vkms_set_composer(struct vkms_output *out, bool enabled)
{
	bool dropped;

	if (enabled)
		drm_crtc_vblank_get(&out->crtc);

	spin_lock_irq(&out->lock);
	dropped = !enabled && out->composer_users;
	if (enabled)
		out->composer_users++;
	else if (dropped)
		out->composer_users--;
	out->composer_enabled = out->composer_users > 0;
	spin_unlock_irq(&out->lock);

	if (dropped)
		drm_crtc_vblank_put(&out->crtc);
}
}s;
expect("composer", $n, 2);
spew("$dir/vkms_drv.h", $h);
spew("$dir/vkms_composer.c", $comp);
print "composer counts its users\n";
