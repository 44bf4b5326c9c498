#!/usr/bin/perl
# flamegraph.pl's input phase in Perl, without the SVG: the reference that is
# closest to running flamegraph.pl itself (which Debian does not package).
#
# Like flamegraph.pl: read every line into memory, sort them, then per line
# match /^(.*)\s+?(\d+(?:\.\d*)?)$/, tr/<>/()/ the stack, split it on ';' and
# merge it with the previous line's frames in flow(), which closes the frames
# that differ (a node "func;depth;etime" with its start time in %Node) and
# opens the new ones (%Tmp). Memory grows with the file. Stops before the SVG:
# it prints one JSON line (lines, samples, merged tree nodes, distinct frames,
# ignored lines) so the benchmark can check the work against profview.
#
#   perl bench/ref_fold.pl FILE
use strict;
use warnings;

my (%Node, %Tmp);

sub flow {
	my ($last, $this, $v) = @_;
	my $len_a = @$last - 1;
	my $len_b = @$this - 1;
	my $i = 0;
	for (; $i <= $len_a; $i++) {
		last if $i > $len_b;
		last if $last->[$i] ne $this->[$i];
	}
	my $len_same = $i;
	for ($i = $len_a; $i >= $len_same; $i--) {
		my $k = "$last->[$i];$i";
		$Node{"$k;$v"} = delete $Tmp{$k};
	}
	for ($i = $len_same; $i <= $len_b; $i++) {
		$Tmp{"$this->[$i];$i"} = $v;
	}
	return $this;
}

my @Data;
while (my $line = <>) {
	chomp $line;
	push @Data, $line;
}
my @SortedData = sort @Data;

my ($last, $time, $ignored) = ([], 0, 0);
foreach (@SortedData) {
	my ($stack, $samples) = (/^(.*)\s+?(\d+(?:\.\d*)?)$/);
	unless (defined $samples and defined $stack) {
		++$ignored;
		next;
	}
	$stack =~ tr/<>/()/;
	$last = flow($last, [ '', split ";", $stack ], $time);
	$time += $samples;
}
flow($last, [], $time);

# per-frame totals from the merged nodes, as the SVG pass walks them
my %frames;
while (my ($k, $stime) = each %Node) {
	my ($func, $depth, $etime) = ($k =~ /^(.*);(\d+);([\d.]+)$/);
	next unless $depth;
	$frames{$func} += $etime - $stime;
}
printf "{\"mode\": \"flamegraph.pl\", \"lines\": %d, \"samples\": %s, \"tree_nodes\": %d, "
     . "\"distinct_frames\": %d, \"ignored\": %d}\n",
	scalar(@Data), $time, scalar(keys %Node) - 1, scalar(keys %frames), $ignored;
