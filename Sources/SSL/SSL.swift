// The SSL module of UniGrad Lab; see DESIGN.md.
