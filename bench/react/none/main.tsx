// No cache: what a hook does by hand (loading state, no setState after unmount or a key change).
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { fetchCompany, type CompanyView } from '../api';
import { CompanyPage } from '../page';

// hook:start
function useCompanyOptimized(companyId: number) {
  const [state, setState] = useState<{ id: number; data: CompanyView | undefined }>({ id: companyId, data: undefined });
  useEffect(() => {
    let current = true;
    fetchCompany(companyId).then((data) => current && setState({ id: companyId, data }));
    return () => {
      current = false;
    };
  }, [companyId]);
  return { data: state.id === companyId ? state.data : undefined };
}
// hook:end

createRoot(document.getElementById('root')!).render(<CompanyPage useCompany={useCompanyOptimized} />);
